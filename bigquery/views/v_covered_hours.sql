-- The UTC hours the loaded data covers, one row per (event_date, event_hour): for each date with
-- events, every hour from the hour of its first event to the hour of its last one. An hour in between
-- without events is a real zero (a row of zeros); an hour outside that span is not covered (no row),
-- so a file cut after three hours or the tail of a month never counts as a quiet day. Events per type
-- are 0 when the hour had none; events = views + carts + removals + purchases.
-- Read by v_dash_hourly_traffic, v_dash_hours and v_peak_hours (views are created in file-name order,
-- so this file sorts before them).
WITH days AS (
  SELECT event_date, MIN(event_hour) AS first_hour, MAX(event_hour) AS last_hour
  FROM `{{dataset}}.event_type_by_hour`
  GROUP BY event_date
),
hours AS (
  SELECT days.event_date, event_hour
  FROM days
  CROSS JOIN UNNEST(GENERATE_ARRAY(days.first_hour, days.last_hour)) AS event_hour
),
counts AS (
  SELECT
    event_date,
    event_hour,
    SUM(IF(event_type = 'view', event_count, 0)) AS views,
    SUM(IF(event_type = 'cart', event_count, 0)) AS carts,
    SUM(IF(event_type = 'remove_from_cart', event_count, 0)) AS removals,
    SUM(IF(event_type = 'purchase', event_count, 0)) AS purchases
  FROM `{{dataset}}.event_type_by_hour`
  GROUP BY event_date, event_hour
)
SELECT
  hours.event_date,
  hours.event_hour,
  IFNULL(counts.views, 0) + IFNULL(counts.carts, 0) + IFNULL(counts.removals, 0) + IFNULL(counts.purchases, 0)
    AS events,
  IFNULL(counts.views, 0) AS views,
  IFNULL(counts.carts, 0) AS carts,
  IFNULL(counts.removals, 0) AS removals,
  IFNULL(counts.purchases, 0) AS purchases
FROM hours
LEFT JOIN counts ON counts.event_date = hours.event_date AND counts.event_hour = hours.event_hour
