-- Category and brand ranking (page "Categories & brands"): monthly funnel per top-level category
-- (dimension = 'category') and per brand (dimension = 'brand'), ranked by revenue and by conversion
-- within the month and dimension. 'unknown' collects events without a brand; events without a
-- category_code are grouped by their category_id (see the contract's category_l1).
-- Rates (one definition per name, spark_jobs/contract.py RATE_DEFINITIONS): view_to_cart_rate =
-- viewers_who_carted / viewers, cart_to_purchase_rate = carters_who_purchased / carters,
-- view_to_purchase_rate = viewers_who_purchased / viewers, cart_removal_rate = carters_who_removed /
-- carters; each numerator is inside its denominator, so no rate exceeds 1.
-- conversion_rank ranks by view_to_purchase_rate only the segments with at least 50 viewers (NULL for
-- the others: one viewer who bought is not a best converter); the dashboard shows the same ranks.
WITH segments AS (
  SELECT event_month, 'category' AS dimension, category_l1 AS segment,
    users, viewers, carters, removers, purchasers, viewers_who_carted, viewers_who_purchased,
    carters_who_purchased, carters_who_removed, sessions, view_sessions, purchase_sessions, revenue
  FROM `{{dataset}}.funnel_by_category`
  UNION ALL
  SELECT event_month, 'brand' AS dimension, brand AS segment,
    users, viewers, carters, removers, purchasers, viewers_who_carted, viewers_who_purchased,
    carters_who_purchased, carters_who_removed, sessions, view_sessions, purchase_sessions, revenue
  FROM `{{dataset}}.funnel_by_brand`
),
rated AS (
  SELECT
    *,
    SAFE_DIVIDE(viewers_who_carted, viewers) AS view_to_cart_rate,
    SAFE_DIVIDE(carters_who_purchased, carters) AS cart_to_purchase_rate,
    SAFE_DIVIDE(viewers_who_purchased, viewers) AS view_to_purchase_rate,
    SAFE_DIVIDE(carters_who_removed, carters) AS cart_removal_rate,
    viewers >= 50 AS ranked_by_conversion
  FROM segments
)
SELECT
  event_month,
  dimension,
  segment,
  users,
  viewers,
  carters,
  removers,
  purchasers,
  viewers_who_carted,
  viewers_who_purchased,
  carters_who_purchased,
  carters_who_removed,
  sessions,
  view_sessions,
  purchase_sessions,
  revenue,
  view_to_cart_rate,
  cart_to_purchase_rate,
  view_to_purchase_rate,
  cart_removal_rate,
  SAFE_DIVIDE(revenue, SUM(revenue) OVER (PARTITION BY event_month, dimension)) AS revenue_share,
  RANK() OVER (PARTITION BY event_month, dimension ORDER BY revenue DESC) AS revenue_rank,
  IF(
    ranked_by_conversion,
    RANK() OVER (
      PARTITION BY event_month, dimension, ranked_by_conversion ORDER BY IFNULL(view_to_purchase_rate, 0) DESC
    ),
    NULL
  ) AS conversion_rank
FROM rated
