-- Product conversion (page "Products"): monthly funnel per product with user-based conversion rates.
SELECT
  event_month,
  product_id,
  view_count AS views,
  cart_count AS carts,
  purchase_count AS purchases,
  viewers,
  carters,
  purchasers,
  revenue,
  SAFE_DIVIDE(carters, viewers) AS view_to_cart_rate,
  SAFE_DIVIDE(purchasers, carters) AS cart_to_purchase_rate,
  SAFE_DIVIDE(purchasers, viewers) AS view_to_purchase_rate,
  RANK() OVER (PARTITION BY event_month ORDER BY revenue DESC) AS revenue_rank
FROM `{{dataset}}.product_funnel`
