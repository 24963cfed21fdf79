-- One row per (session_date, user_id) (page "Overview" distinct scorecards): what the user did in the
-- sessions that started that day. Distinct users cannot be added up across days, so a scorecard over
-- a date range counts them here: users = COUNT_DISTINCT(user_id), buyers =
-- COUNT_DISTINCT(CASE WHEN purchased = 1 THEN user_id END). Users are the sessions' user_id (the user of
-- each session's first event), as on the dashboard (v_dash_kpis); viewed, carted, removed, purchased
-- are 1 when any of those sessions had such an event.
SELECT
  session_date,
  user_id,
  COUNT(*) AS sessions,
  MAX(IF(view_count > 0, 1, 0)) AS viewed,
  MAX(IF(cart_count > 0, 1, 0)) AS carted,
  MAX(IF(remove_from_cart_count > 0, 1, 0)) AS removed,
  MAX(IF(purchase_count > 0, 1, 0)) AS purchased,
  SUM(revenue) AS revenue
FROM `{{dataset}}.sessions`
GROUP BY session_date, user_id
