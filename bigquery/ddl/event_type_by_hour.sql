CREATE TABLE IF NOT EXISTS `{{dataset}}.event_type_by_hour` (
  event_date DATE NOT NULL OPTIONS(description="UTC date of the event."),
  event_hour INT64 NOT NULL OPTIONS(description="UTC hour, 0-23."),
  event_type STRING NOT NULL OPTIONS(description="view, cart, remove_from_cart or purchase."),
  event_count INT64 NOT NULL OPTIONS(description="Number of events."),
  unique_users INT64 NOT NULL OPTIONS(description="Distinct users with at least one such event in the hour.")
)
PARTITION BY event_date
CLUSTER BY event_type
OPTIONS(description="Hourly traffic by event type.");
