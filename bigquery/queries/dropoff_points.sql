-- Where do shoppers drop off? Per month: sessions by furthest stage, and the user funnel's step losses.
WITH stages AS (
  SELECT
    FORMAT_DATE('%Y-%m', session_date) AS month,
    COUNTIF(furthest_stage = 'view') AS sessions_ending_at_view,
    COUNTIF(furthest_stage = 'cart') AS sessions_ending_at_cart,
    COUNTIF(furthest_stage = 'purchase') AS sessions_with_purchase,
    COUNT(*) AS sessions
  FROM `{{dataset}}.sessions`
  GROUP BY month
)
SELECT
  month,
  sessions,
  sessions_ending_at_view,
  sessions_ending_at_cart,
  sessions_with_purchase,
  SAFE_DIVIDE(sessions_ending_at_view, sessions) AS view_dropoff_share,
  SAFE_DIVIDE(sessions_ending_at_cart, sessions_ending_at_cart + sessions_with_purchase) AS cart_abandonment_rate
FROM stages
ORDER BY month
