-- Which brands convert best? Per month, brands with at least 1% of the month's brand viewers (so a brand
-- with one viewer and one buyer does not top the list), by view-to-purchase rate; 'unknown' excluded.
WITH brands AS (
  SELECT
    *,
    SUM(viewers) OVER (PARTITION BY event_month) AS month_viewers
  FROM `{{dataset}}.v_category_brand_ranking`
  WHERE dimension = 'brand' AND segment != 'unknown'
)
SELECT
  event_month,
  segment AS brand,
  viewers,
  purchasers,
  revenue,
  view_to_purchase_rate,
  RANK() OVER (PARTITION BY event_month ORDER BY view_to_purchase_rate DESC) AS conversion_rank
FROM brands
WHERE viewers >= 0.01 * month_viewers
ORDER BY event_month, conversion_rank, brand
LIMIT 100
