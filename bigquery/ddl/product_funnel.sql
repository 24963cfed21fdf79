CREATE TABLE IF NOT EXISTS `{{dataset}}.product_funnel` (
  event_month DATE NOT NULL OPTIONS(description="First day of the event's UTC month."),
  product_id INT64 NOT NULL OPTIONS(description="Product identifier."),
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
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over purchase events.")
)
PARTITION BY DATE_TRUNC(event_month, MONTH)
CLUSTER BY product_id
OPTIONS(description="Monthly conversion per product.");
