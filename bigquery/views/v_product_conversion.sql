-- Product conversion (page "Products"): monthly funnel per product with user-based rates. One
-- definition per name (spark_jobs/contract.py RATE_DEFINITIONS): view_to_cart_rate =
-- viewers_who_carted / viewers, cart_to_purchase_rate = carters_who_purchased / carters,
-- view_to_purchase_rate = viewers_who_purchased / viewers, cart_removal_rate = carters_who_removed /
-- carters; each numerator is inside its denominator (carters / viewers reached 900% on real rows).
SELECT
  event_month,
  product_id,
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
  SAFE_DIVIDE(carters_who_purchased, carters) AS cart_to_purchase_rate,
  SAFE_DIVIDE(viewers_who_purchased, viewers) AS view_to_purchase_rate,
  SAFE_DIVIDE(carters_who_removed, carters) AS cart_removal_rate,
  RANK() OVER (PARTITION BY event_month ORDER BY revenue DESC) AS revenue_rank
FROM `{{dataset}}.product_funnel`
