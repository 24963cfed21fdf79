-- Live view (dashboard "Last hour"): one row per minute with events in the 60 minutes ending with the
-- minute of the newest event (live_traffic's window follows the newest event time, not the clock, so a
-- replay of old data is live too). as_of is the newest event time. active_users_* are the distinct
-- users with any event in the 5 / 60 minutes ending with that minute (the newest row is "now").
-- week_ago_*_per_minute: the same UTC clock hour seven days earlier, from the hourly mart spread evenly
-- over its 60 minutes; NULL where the warehouse does not hold that hour. The hourly mart has no
-- revenue, so there is no revenue a week earlier.
WITH newest AS (
  SELECT
    MAX(last_event_time) AS as_of,
    MAX(event_minute) AS last_minute
  FROM `{{dataset}}.live_traffic`
),
per_minute AS (
  SELECT
    t.event_minute,
    SUM(t.event_count) AS events,
    SUM(IF(t.event_type = 'view', t.event_count, 0)) AS views,
    SUM(IF(t.event_type = 'cart', t.event_count, 0)) AS carts,
    SUM(IF(t.event_type = 'purchase', t.event_count, 0)) AS purchases,
    SUM(t.revenue) AS revenue,
    MAX(t.active_users_5m) AS active_users_5m,
    MAX(t.active_users_60m) AS active_users_60m
  FROM `{{dataset}}.live_traffic` AS t
  CROSS JOIN newest
  WHERE t.event_minute > TIMESTAMP_SUB(newest.last_minute, INTERVAL 60 MINUTE)
  GROUP BY t.event_minute
),
hourly AS (
  SELECT
    event_date,
    event_hour,
    SUM(event_count) AS events,
    SUM(IF(event_type = 'cart', event_count, 0)) AS carts,
    SUM(IF(event_type = 'purchase', event_count, 0)) AS purchases
  FROM `{{dataset}}.event_type_by_hour`
  GROUP BY event_date, event_hour
)
SELECT
  p.event_minute,
  newest.as_of,
  p.events,
  p.views,
  p.carts,
  p.purchases,
  p.revenue,
  p.active_users_5m,
  p.active_users_60m,
  SAFE_DIVIDE(week_ago.events, 60) AS week_ago_events_per_minute,
  SAFE_DIVIDE(week_ago.carts, 60) AS week_ago_carts_per_minute,
  SAFE_DIVIDE(week_ago.purchases, 60) AS week_ago_purchases_per_minute
FROM per_minute AS p
CROSS JOIN newest
LEFT JOIN hourly AS week_ago
  ON week_ago.event_date = CAST(DATE_SUB(DATE(p.event_minute), INTERVAL 7 DAY) AS DATE)
  AND week_ago.event_hour = EXTRACT(HOUR FROM p.event_minute)
