CREATE TABLE IF NOT EXISTS `{{dataset}}.category_brand_daily` (
  event_date DATE NOT NULL OPTIONS(description="UTC date of the event."),
  category_l1 STRING NOT NULL OPTIONS(description="First level of category_code, or 'unknown'."),
  category_code STRING NOT NULL OPTIONS(description="Full category code, or 'unknown'."),
  brand STRING NOT NULL OPTIONS(description="Brand, or 'unknown'."),
  view_count INT64 NOT NULL OPTIONS(description="Number of view events."),
  cart_count INT64 NOT NULL OPTIONS(description="Number of cart events."),
  purchase_count INT64 NOT NULL OPTIONS(description="Number of purchase events."),
  unique_users INT64 NOT NULL OPTIONS(description="Distinct users with any event in the row's grain."),
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over purchase events.")
)
PARTITION BY event_date
CLUSTER BY category_l1, brand
OPTIONS(description="Daily activity and revenue per category and brand.");
