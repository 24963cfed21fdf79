-- Peak hours (page "Traffic"): one row per UTC hour over every loaded day, ranked by traffic and purchases.
WITH by_hour AS (
  SELECT
    event_hour,
    SUM(event_count) AS events,
    SUM(IF(event_type = 'view', event_count, 0)) AS views,
    SUM(IF(event_type = 'cart', event_count, 0)) AS carts,
    SUM(IF(event_type = 'purchase', event_count, 0)) AS purchases
  FROM `{{dataset}}.event_type_by_hour`
  GROUP BY event_hour
),
period AS (
  SELECT COUNT(DISTINCT event_date) AS days FROM `{{dataset}}.event_type_by_hour`
)
SELECT
  by_hour.event_hour,
  period.days,
  by_hour.events,
  by_hour.views,
  by_hour.carts,
  by_hour.purchases,
  SAFE_DIVIDE(by_hour.events, period.days) AS avg_events_per_day,
  SAFE_DIVIDE(by_hour.events, SUM(by_hour.events) OVER ()) AS share_of_events,
  SAFE_DIVIDE(by_hour.purchases, by_hour.views) AS purchases_per_view,
  RANK() OVER (ORDER BY by_hour.events DESC) AS traffic_rank,
  RANK() OVER (ORDER BY by_hour.purchases DESC) AS purchase_rank
FROM by_hour
CROSS JOIN period
