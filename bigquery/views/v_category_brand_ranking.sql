-- Category and brand ranking (page "Categories & brands"): monthly funnel per top-level category
-- (dimension = 'category') and per brand (dimension = 'brand'), ranked by revenue and by conversion
-- within the month and dimension. 'unknown' collects events without a category or brand.
WITH segments AS (
  SELECT event_month, 'category' AS dimension, category_l1 AS segment,
    viewers, carters, purchasers, view_sessions, purchase_sessions, revenue
  FROM `{{dataset}}.funnel_by_category`
  UNION ALL
  SELECT event_month, 'brand' AS dimension, brand AS segment,
    viewers, carters, purchasers, view_sessions, purchase_sessions, revenue
  FROM `{{dataset}}.funnel_by_brand`
)
SELECT
  event_month,
  dimension,
  segment,
  viewers,
  carters,
  purchasers,
  view_sessions,
  purchase_sessions,
  revenue,
  SAFE_DIVIDE(carters, viewers) AS view_to_cart_rate,
  SAFE_DIVIDE(purchasers, carters) AS cart_to_purchase_rate,
  SAFE_DIVIDE(purchasers, viewers) AS view_to_purchase_rate,
  SAFE_DIVIDE(revenue, SUM(revenue) OVER (PARTITION BY event_month, dimension)) AS revenue_share,
  RANK() OVER (PARTITION BY event_month, dimension ORDER BY revenue DESC) AS revenue_rank,
  RANK() OVER (
    PARTITION BY event_month, dimension ORDER BY IFNULL(SAFE_DIVIDE(purchasers, viewers), 0) DESC
  ) AS conversion_rank
FROM segments
