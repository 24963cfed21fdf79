CREATE TABLE IF NOT EXISTS `{{dataset}}.product_funnel` (
  event_month DATE NOT NULL OPTIONS(description="First day of the event's UTC month."),
  product_id INT64 NOT NULL OPTIONS(description="Product identifier."),
  view_count INT64 NOT NULL OPTIONS(description="Number of view events."),
  cart_count INT64 NOT NULL OPTIONS(description="Number of cart events."),
  purchase_count INT64 NOT NULL OPTIONS(description="Number of purchase events."),
  viewers INT64 NOT NULL OPTIONS(description="Distinct users with at least one view in the row's grain."),
  carters INT64 NOT NULL OPTIONS(description="Distinct users with at least one cart event in the row's grain."),
  purchasers INT64 NOT NULL OPTIONS(description="Distinct users with at least one purchase in the row's grain."),
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over purchase events.")
)
PARTITION BY DATE_TRUNC(event_month, MONTH)
CLUSTER BY product_id
OPTIONS(description="Monthly conversion per product.");
