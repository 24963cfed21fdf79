-- Dashboard KPI tiles: one row per metric, for the whole loaded period, the last complete day and the
-- complete day before it (v_dash_coverage: a partial day is never compared; without two complete days
-- in a row the day values are NULL). Counted from the sessions mart: a session belongs to the day it
-- started; users are the sessions' user_id (the user of each session's first event). The rates use the
-- one definition of each name (spark_jobs/contract.py RATE_DEFINITIONS), over the scope's users:
-- view_to_cart_rate = users with a view and a cart event / users with a view; cart_to_purchase_rate =
-- users with a cart event and a purchase / users with a cart event; view_to_purchase_rate = users with
-- a view and a purchase / users with a view; cart_removal_rate = users with a cart event and a removal /
-- users with a cart event; session_conversion_rate = sessions with a purchase / sessions; a bounce is a
-- single-event session. kind tells how to show a value: count, money, rate (its change is in rate
-- points), seconds or number.
WITH bounds AS (
  SELECT first_day, last_complete_day AS last_day, previous_complete_day AS previous_day
  FROM `{{dataset}}.v_dash_coverage`
),
scoped AS (
  SELECT 'period' AS scope, s.* FROM `{{dataset}}.sessions` AS s
  UNION ALL
  SELECT 'last_day' AS scope, s.* FROM `{{dataset}}.sessions` AS s
  JOIN bounds ON s.session_date = bounds.last_day AND bounds.previous_day IS NOT NULL
  UNION ALL
  SELECT 'previous_day' AS scope, s.* FROM `{{dataset}}.sessions` AS s
  JOIN bounds ON s.session_date = bounds.previous_day
),
scoped_users AS (
  SELECT
    scope,
    user_id,
    MAX(IF(view_count > 0, 1, 0)) AS viewed,
    MAX(IF(cart_count > 0, 1, 0)) AS carted,
    MAX(IF(remove_from_cart_count > 0, 1, 0)) AS removed,
    MAX(IF(purchase_count > 0, 1, 0)) AS purchased
  FROM scoped
  GROUP BY scope, user_id
),
user_totals AS (
  SELECT
    scope,
    COUNT(*) AS users,
    SUM(viewed) AS viewers,
    SUM(carted) AS carters,
    SUM(viewed * carted) AS viewers_who_carted,
    SUM(viewed * purchased) AS viewers_who_purchased,
    SUM(carted * purchased) AS carters_who_purchased,
    SUM(carted * removed) AS carters_who_removed
  FROM scoped_users
  GROUP BY scope
),
session_totals AS (
  SELECT
    scope,
    COUNT(*) AS sessions,
    COUNTIF(purchase_count > 0) AS purchase_sessions,
    COUNTIF(event_count = 1) AS bounce_sessions,
    SUM(event_count) AS events,
    SUM(duration_seconds) AS duration_seconds,
    SUM(purchase_count) AS purchases,
    SUM(revenue) AS revenue
  FROM scoped
  GROUP BY scope
),
totals AS (
  SELECT * FROM session_totals JOIN user_totals USING (scope)
),
metrics AS (
  SELECT scope, 1 AS metric_order, 'users' AS metric, 'Users' AS label, 'count' AS kind,
    CAST(users AS FLOAT64) AS value FROM totals
  UNION ALL
  SELECT scope, 2, 'sessions', 'Sessions', 'count', CAST(sessions AS FLOAT64) FROM totals
  UNION ALL
  SELECT scope, 3, 'purchases', 'Purchases', 'count', CAST(purchases AS FLOAT64) FROM totals
  UNION ALL
  SELECT scope, 4, 'revenue', 'Revenue (USD)', 'money', CAST(revenue AS FLOAT64) FROM totals
  UNION ALL
  SELECT scope, 5, 'session_conversion_rate', 'Session conversion', 'rate',
    SAFE_DIVIDE(purchase_sessions, sessions) FROM totals
  UNION ALL
  SELECT scope, 6, 'view_to_cart_rate', 'View → cart (users)', 'rate',
    SAFE_DIVIDE(viewers_who_carted, viewers) FROM totals
  UNION ALL
  SELECT scope, 7, 'cart_to_purchase_rate', 'Cart → purchase (users)', 'rate',
    SAFE_DIVIDE(carters_who_purchased, carters) FROM totals
  UNION ALL
  SELECT scope, 8, 'view_to_purchase_rate', 'View → purchase (users)', 'rate',
    SAFE_DIVIDE(viewers_who_purchased, viewers) FROM totals
  UNION ALL
  SELECT scope, 9, 'cart_removal_rate', 'Carters who removed', 'rate',
    SAFE_DIVIDE(carters_who_removed, carters) FROM totals
  UNION ALL
  SELECT scope, 10, 'bounce_rate', 'Bounce rate', 'rate', SAFE_DIVIDE(bounce_sessions, sessions) FROM totals
  UNION ALL
  SELECT scope, 11, 'avg_session_seconds', 'Average session length', 'seconds',
    SAFE_DIVIDE(duration_seconds, sessions) FROM totals
  UNION ALL
  SELECT scope, 12, 'events_per_session', 'Events per session', 'number', SAFE_DIVIDE(events, sessions) FROM totals
),
by_metric AS (
  SELECT
    metric_order,
    metric,
    label,
    kind,
    MAX(IF(scope = 'period', value, NULL)) AS period_value,
    MAX(IF(scope = 'last_day', value, NULL)) AS last_day_value,
    MAX(IF(scope = 'previous_day', value, NULL)) AS previous_day_value
  FROM metrics
  GROUP BY metric_order, metric, label, kind
)
SELECT
  by_metric.metric_order,
  by_metric.metric,
  by_metric.label,
  by_metric.kind,
  bounds.first_day,
  IF(bounds.previous_day IS NULL, NULL, bounds.last_day) AS last_day,
  bounds.previous_day,
  by_metric.period_value,
  by_metric.last_day_value,
  by_metric.previous_day_value,
  by_metric.last_day_value - by_metric.previous_day_value AS change_vs_previous_day,
  SAFE_DIVIDE(by_metric.last_day_value - by_metric.previous_day_value, by_metric.previous_day_value)
    AS relative_change_vs_previous_day
FROM by_metric
CROSS JOIN bounds
