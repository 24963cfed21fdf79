CREATE TABLE IF NOT EXISTS `{{dataset}}.funnel_by_category` (
  event_month DATE NOT NULL OPTIONS(description="First day of the event's UTC month."),
  category_l1 STRING NOT NULL OPTIONS(description="First level of category_code, or 'unknown'."),
  viewers INT64 NOT NULL OPTIONS(description="Distinct users with at least one view in the row's grain."),
  carters INT64 NOT NULL OPTIONS(description="Distinct users with at least one cart event in the row's grain."),
  purchasers INT64 NOT NULL OPTIONS(description="Distinct users with at least one purchase in the row's grain."),
  view_sessions INT64 NOT NULL OPTIONS(description="Distinct session_id with at least one view in the row's grain."),
  cart_sessions INT64 NOT NULL OPTIONS(description="Distinct session_id with at least one cart event in the row's grain."),
  purchase_sessions INT64 NOT NULL OPTIONS(description="Distinct session_id with at least one purchase in the row's grain."),
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over purchase events.")
)
PARTITION BY DATE_TRUNC(event_month, MONTH)
CLUSTER BY category_l1
OPTIONS(description="Monthly funnel per top-level category.");
