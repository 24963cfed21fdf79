-- Daily activity per category and brand (page "Categories & brands", date-filterable tables and trends).
-- Rates here are per event (carts / views, purchases / views): distinct users do not add up across days.
SELECT
  event_date,
  category_l1,
  category_code,
  brand,
  view_count AS views,
  cart_count AS carts,
  purchase_count AS purchases,
  unique_users,
  revenue,
  SAFE_DIVIDE(cart_count, view_count) AS carts_per_view,
  SAFE_DIVIDE(purchase_count, view_count) AS purchases_per_view
FROM `{{dataset}}.category_brand_daily`
