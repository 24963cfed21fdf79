-- Dashboard funnel over the whole loaded period: how many users and sessions got at least as far as
-- each stage (view -> cart -> purchase), from the sessions mart's furthest_stage. Every session enters
-- at view; a user's stage is the furthest any of their sessions got. step_rate is the share of the
-- previous stage that went on; drop_off_rate the share that stopped there.
WITH counts AS (
  -- one pass over the sessions: three distinct-user counts and three session counts
  SELECT
    COUNT(DISTINCT user_id) AS view_users,
    COUNT(DISTINCT IF(furthest_stage IN ('cart', 'purchase'), user_id, NULL)) AS cart_users,
    COUNT(DISTINCT IF(furthest_stage = 'purchase', user_id, NULL)) AS purchase_users,
    COUNT(*) AS view_sessions,
    COUNTIF(furthest_stage IN ('cart', 'purchase')) AS cart_sessions,
    COUNTIF(furthest_stage = 'purchase') AS purchase_sessions
  FROM `{{dataset}}.sessions`
),
by_unit AS (
  SELECT 'users' AS unit, 'view' AS stage, 1 AS stage_order, view_users AS reached FROM counts
  UNION ALL SELECT 'users', 'cart', 2, cart_users FROM counts
  UNION ALL SELECT 'users', 'purchase', 3, purchase_users FROM counts
  UNION ALL SELECT 'sessions', 'view', 1, view_sessions FROM counts
  UNION ALL SELECT 'sessions', 'cart', 2, cart_sessions FROM counts
  UNION ALL SELECT 'sessions', 'purchase', 3, purchase_sessions FROM counts
)
SELECT
  unit,
  stage,
  stage_order,
  reached,
  SAFE_DIVIDE(reached, FIRST_VALUE(reached) OVER (PARTITION BY unit ORDER BY stage_order)) AS share_of_entry,
  SAFE_DIVIDE(reached, LAG(reached) OVER (PARTITION BY unit ORDER BY stage_order)) AS step_rate,
  1 - SAFE_DIVIDE(reached, LAG(reached) OVER (PARTITION BY unit ORDER BY stage_order)) AS drop_off_rate
FROM by_unit
