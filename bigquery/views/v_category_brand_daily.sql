-- Daily activity per category and brand (page "Categories & brands", date-filterable tables and trends).
-- Events without a category_code are grouped by their category_id (see the contract's category_l1).
-- Rates (one definition per name, spark_jobs/contract.py RATE_DEFINITIONS) are shares of distinct
-- users of the day: view_to_cart_rate = viewers_who_carted / viewers, view_to_purchase_rate =
-- viewers_who_purchased / viewers, cart_to_purchase_rate = carters_who_purchased / carters,
-- cart_removal_rate = carters_who_removed / carters. Over a date range divide the sums (a share of
-- user-days): distinct users of different days cannot be added up.
SELECT
  event_date,
  category_l1,
  category_code,
  brand,
  view_count AS views,
  cart_count AS carts,
  remove_from_cart_count AS removals,
  purchase_count AS purchases,
  users,
  viewers,
  carters,
  removers,
  purchasers,
  viewers_who_carted,
  viewers_who_purchased,
  carters_who_purchased,
  carters_who_removed,
  revenue,
  SAFE_DIVIDE(viewers_who_carted, viewers) AS view_to_cart_rate,
  SAFE_DIVIDE(viewers_who_purchased, viewers) AS view_to_purchase_rate,
  SAFE_DIVIDE(carters_who_purchased, carters) AS cart_to_purchase_rate,
  SAFE_DIVIDE(carters_who_removed, carters) AS cart_removal_rate
FROM `{{dataset}}.category_brand_daily`
