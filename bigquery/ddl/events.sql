CREATE TABLE IF NOT EXISTS `{{dataset}}.events` (
  event_time TIMESTAMP NOT NULL OPTIONS(description="When the event happened (UTC)."),
  event_date DATE NOT NULL OPTIONS(description="UTC date of the event."),
  event_hour INT64 NOT NULL OPTIONS(description="UTC hour of the event, 0-23."),
  event_type STRING NOT NULL OPTIONS(description="view, cart, remove_from_cart or purchase (lower case)."),
  product_id INT64 NOT NULL OPTIONS(description="Product identifier (positive)."),
  category_id INT64 NOT NULL OPTIONS(description="Category identifier (non-negative)."),
  category_code STRING OPTIONS(description="Dot-separated category path, e.g. electronics.smartphone."),
  category_l1 STRING OPTIONS(description="First level of category_code."),
  category_l2 STRING OPTIONS(description="Second level of category_code."),
  category_l3 STRING OPTIONS(description="Third level of category_code."),
  brand STRING OPTIONS(description="Brand, lower case."),
  price NUMERIC(12,2) NOT NULL OPTIONS(description="Product price at the time of the event (0 is valid)."),
  user_id INT64 NOT NULL OPTIONS(description="User identifier (positive)."),
  user_session STRING NOT NULL OPTIONS(description="Session identifier (UUID in the source).")
)
PARTITION BY event_date
CLUSTER BY event_type, category_l1, brand
OPTIONS(description="Clean events: every valid input row, typed and normalised; rows identical in every column are collapsed to one.", require_partition_filter=TRUE);
