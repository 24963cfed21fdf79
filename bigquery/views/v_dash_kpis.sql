-- Dashboard KPI tiles: one row per metric, for the whole loaded period, its last day and the day before.
-- Counted from the sessions mart so every tile uses one definition: a session belongs to the day it
-- started; users are the sessions' user_id (the user of each session's first event); a user or session
-- "reached" cart when its furthest stage is cart or purchase. Rates here match the funnel chart
-- (v_dash_funnel); a bounce is a single-event session. kind tells how to show a value: count, money,
-- rate (its change is in rate points), seconds or number.
WITH bounds AS (
  SELECT
    MIN(session_date) AS first_day,
    MAX(session_date) AS last_day,
    -- CAST: DuckDB's DATE minus an interval is a TIMESTAMP (BigQuery's DATE_SUB keeps a DATE).
    CAST(DATE_SUB(MAX(session_date), INTERVAL 1 DAY) AS DATE) AS previous_day
  FROM `{{dataset}}.sessions`
),
scoped AS (
  SELECT 'period' AS scope, s.* FROM `{{dataset}}.sessions` AS s
  UNION ALL
  SELECT 'last_day' AS scope, s.* FROM `{{dataset}}.sessions` AS s
  JOIN bounds ON s.session_date = bounds.last_day
  UNION ALL
  SELECT 'previous_day' AS scope, s.* FROM `{{dataset}}.sessions` AS s
  JOIN bounds ON s.session_date = bounds.previous_day
),
totals AS (
  SELECT
    scope,
    COUNT(DISTINCT user_id) AS users,
    COUNT(DISTINCT IF(furthest_stage IN ('cart', 'purchase'), user_id, NULL)) AS cart_users,
    COUNT(DISTINCT IF(furthest_stage = 'purchase', user_id, NULL)) AS buyers,
    COUNT(*) AS sessions,
    COUNTIF(furthest_stage = 'purchase') AS purchase_sessions,
    COUNTIF(event_count = 1) AS bounce_sessions,
    SUM(event_count) AS events,
    SUM(duration_seconds) AS duration_seconds,
    SUM(purchase_count) AS purchases,
    SUM(revenue) AS revenue
  FROM scoped
  GROUP BY scope
),
metrics AS (
  SELECT scope, 1 AS metric_order, 'users' AS metric, 'Users' AS label, 'count' AS kind,
    CAST(users AS FLOAT64) AS value FROM totals
  UNION ALL
  SELECT scope, 2, 'sessions', 'Sessions', 'count', CAST(sessions AS FLOAT64) FROM totals
  UNION ALL
  SELECT scope, 3, 'purchases', 'Purchases', 'count', CAST(purchases AS FLOAT64) FROM totals
  UNION ALL
  SELECT scope, 4, 'revenue', 'Revenue', 'money', CAST(revenue AS FLOAT64) FROM totals
  UNION ALL
  SELECT scope, 5, 'session_conversion_rate', 'Session conversion', 'rate',
    SAFE_DIVIDE(purchase_sessions, sessions) FROM totals
  UNION ALL
  SELECT scope, 6, 'view_to_cart_rate', 'View → cart (users)', 'rate', SAFE_DIVIDE(cart_users, users) FROM totals
  UNION ALL
  SELECT scope, 7, 'cart_to_purchase_rate', 'Cart → purchase (users)', 'rate',
    SAFE_DIVIDE(buyers, cart_users) FROM totals
  UNION ALL
  SELECT scope, 8, 'bounce_rate', 'Bounce rate', 'rate', SAFE_DIVIDE(bounce_sessions, sessions) FROM totals
  UNION ALL
  SELECT scope, 9, 'avg_session_seconds', 'Average session length', 'seconds',
    SAFE_DIVIDE(duration_seconds, sessions) FROM totals
  UNION ALL
  SELECT scope, 10, 'events_per_session', 'Events per session', 'number', SAFE_DIVIDE(events, sessions) FROM totals
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
  bounds.last_day,
  bounds.previous_day,
  by_metric.period_value,
  by_metric.last_day_value,
  by_metric.previous_day_value,
  by_metric.last_day_value - by_metric.previous_day_value AS change_vs_previous_day,
  SAFE_DIVIDE(by_metric.last_day_value - by_metric.previous_day_value, by_metric.previous_day_value)
    AS relative_change_vs_previous_day
FROM by_metric
CROSS JOIN bounds
