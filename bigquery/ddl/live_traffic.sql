CREATE TABLE IF NOT EXISTS `{{dataset}}.live_traffic` (
  event_minute TIMESTAMP NOT NULL OPTIONS(description="Start of the UTC minute."),
  event_date DATE NOT NULL OPTIONS(description="UTC date of the event."),
  event_type STRING NOT NULL OPTIONS(description="view, cart, remove_from_cart or purchase."),
  event_count INT64 NOT NULL OPTIONS(description="Number of events."),
  unique_users INT64 NOT NULL OPTIONS(description="Distinct users with at least one such event in the minute."),
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over purchase events (0 for other event types)."),
  last_event_time TIMESTAMP NOT NULL OPTIONS(description="Time of the minute's last event of this type; the newest over the table is the newest event time in the lake (the live view's 'data as of')."),
  active_users_5m INT64 NOT NULL OPTIONS(description="Distinct users with any event (any type) in the 5 minutes ending with this minute; the same on every event type's row of the minute."),
  active_users_60m INT64 NOT NULL OPTIONS(description="Distinct users with any event (any type) in the 60 minutes ending with this minute; the same on every event type's row of the minute.")
)
PARTITION BY event_date
CLUSTER BY event_type
OPTIONS(description="Live traffic per minute and event type over the last 48 hours of event time: the 2,880 UTC minutes ending with the minute of the newest event in the lake (the newest event, not the clock, so replayed 2019 data is live too). Replaced whole on every refresh.");
