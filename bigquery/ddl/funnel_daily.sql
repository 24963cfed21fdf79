CREATE TABLE IF NOT EXISTS `{{dataset}}.funnel_daily` (
  event_date DATE NOT NULL OPTIONS(description="UTC date of the event."),
  view_count INT64 NOT NULL OPTIONS(description="Number of view events."),
  cart_count INT64 NOT NULL OPTIONS(description="Number of cart events."),
  remove_from_cart_count INT64 NOT NULL OPTIONS(description="Number of remove_from_cart events."),
  purchase_count INT64 NOT NULL OPTIONS(description="Number of purchase events."),
  users INT64 NOT NULL OPTIONS(description="Distinct users with any event (view, cart, remove_from_cart or purchase) in the row's grain."),
  viewers INT64 NOT NULL OPTIONS(description="Distinct users with at least one view in the row's grain."),
  carters INT64 NOT NULL OPTIONS(description="Distinct users with at least one cart event in the row's grain."),
  removers INT64 NOT NULL OPTIONS(description="Distinct users with at least one remove_from_cart event in the row's grain."),
  purchasers INT64 NOT NULL OPTIONS(description="Distinct users with at least one purchase in the row's grain."),
  viewers_who_carted INT64 NOT NULL OPTIONS(description="Distinct users with at least one view and at least one cart event in the row's grain. The numerator of view_to_cart_rate."),
  viewers_who_purchased INT64 NOT NULL OPTIONS(description="Distinct users with at least one view and at least one purchase in the row's grain. The numerator of view_to_purchase_rate."),
  carters_who_purchased INT64 NOT NULL OPTIONS(description="Distinct users with at least one cart event and at least one purchase in the row's grain. The numerator of cart_to_purchase_rate."),
  carters_who_removed INT64 NOT NULL OPTIONS(description="Distinct users with at least one cart event and at least one remove_from_cart event in the row's grain. The numerator of cart_removal_rate."),
  sessions INT64 NOT NULL OPTIONS(description="Distinct sessions (session_id) with any event (view, cart, remove_from_cart or purchase) in the row's grain."),
  view_sessions INT64 NOT NULL OPTIONS(description="Distinct sessions (session_id) with at least one view in the row's grain."),
  cart_sessions INT64 NOT NULL OPTIONS(description="Distinct sessions (session_id) with at least one cart event in the row's grain."),
  remove_sessions INT64 NOT NULL OPTIONS(description="Distinct sessions (session_id) with at least one remove_from_cart event in the row's grain."),
  purchase_sessions INT64 NOT NULL OPTIONS(description="Distinct sessions (session_id) with at least one purchase in the row's grain. The numerator of session_conversion_rate."),
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over purchase events.")
)
PARTITION BY event_date
OPTIONS(description="Daily purchase funnel over all products.");
