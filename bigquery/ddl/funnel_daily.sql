CREATE TABLE IF NOT EXISTS `{{dataset}}.funnel_daily` (
  event_date DATE NOT NULL OPTIONS(description="UTC date of the event."),
  view_count INT64 NOT NULL OPTIONS(description="Number of view events."),
  cart_count INT64 NOT NULL OPTIONS(description="Number of cart events."),
  purchase_count INT64 NOT NULL OPTIONS(description="Number of purchase events."),
  viewers INT64 NOT NULL OPTIONS(description="Distinct users with at least one view in the row's grain."),
  carters INT64 NOT NULL OPTIONS(description="Distinct users with at least one cart event in the row's grain."),
  purchasers INT64 NOT NULL OPTIONS(description="Distinct users with at least one purchase in the row's grain."),
  view_sessions INT64 NOT NULL OPTIONS(description="Distinct session_id with at least one view in the row's grain."),
  cart_sessions INT64 NOT NULL OPTIONS(description="Distinct session_id with at least one cart event in the row's grain."),
  purchase_sessions INT64 NOT NULL OPTIONS(description="Distinct session_id with at least one purchase in the row's grain."),
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over purchase events.")
)
PARTITION BY event_date
OPTIONS(description="Daily purchase funnel over all products.");
