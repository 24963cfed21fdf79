-- Daily KPIs (page "Overview"): audience, funnel counts, revenue and conversion rates, one row per day.
-- users / sessions are funnel_daily's distinct viewers / sessions with a view (every funnel starts with
-- a view, and distinct counts cannot be summed from finer-grained marts).
SELECT
  event_date,
  viewers AS users,
  view_sessions AS sessions,
  view_count AS views,
  cart_count AS carts,
  purchase_count AS purchases,
  carters AS cart_users,
  purchasers AS buyers,
  purchase_sessions,
  revenue,
  SAFE_DIVIDE(revenue, purchase_count) AS revenue_per_purchase,
  SAFE_DIVIDE(carters, viewers) AS view_to_cart_rate,
  SAFE_DIVIDE(purchasers, carters) AS cart_to_purchase_rate,
  SAFE_DIVIDE(purchasers, viewers) AS view_to_purchase_rate,
  SAFE_DIVIDE(purchase_sessions, view_sessions) AS session_conversion_rate
FROM `{{dataset}}.funnel_daily`
