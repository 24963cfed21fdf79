-- Session KPIs (page "Sessions"): one row per session start date. A bounce is a single-event session.
-- Totals (total_duration_seconds, events, sessions) let a dashboard recompute averages over any range.
SELECT
  session_date,
  COUNT(*) AS sessions,
  COUNT(DISTINCT user_id) AS users,
  SUM(event_count) AS events,
  SUM(duration_seconds) AS total_duration_seconds,
  AVG(duration_seconds) AS avg_duration_seconds,
  SAFE_DIVIDE(SUM(event_count), COUNT(*)) AS events_per_session,
  COUNTIF(event_count = 1) AS bounce_sessions,
  SAFE_DIVIDE(COUNTIF(event_count = 1), COUNT(*)) AS bounce_rate,
  COUNTIF(purchase_count > 0) AS purchase_sessions,
  SAFE_DIVIDE(COUNTIF(purchase_count > 0), COUNT(*)) AS session_conversion_rate,
  SUM(revenue) AS revenue
FROM `{{dataset}}.sessions`
GROUP BY session_date
