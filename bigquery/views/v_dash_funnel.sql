-- Dashboard funnel over the whole loaded period: how many users and sessions got at least as far as
-- each stage (view -> cart -> purchase), from the sessions mart's furthest_stage. Every session enters
-- at view; a user's stage is the furthest any of their sessions got. step_rate is the share of the
-- previous stage that went on; drop_off_rate the share that stopped there.
WITH stages AS (
  SELECT 'view' AS stage, 1 AS stage_order
  UNION ALL SELECT 'cart', 2
  UNION ALL SELECT 'purchase', 3
),
session_reach AS (
  SELECT user_id, CASE furthest_stage WHEN 'view' THEN 1 WHEN 'cart' THEN 2 WHEN 'purchase' THEN 3 END AS reached
  FROM `{{dataset}}.sessions`
),
counts AS (
  SELECT
    stages.stage,
    stages.stage_order,
    COUNT(DISTINCT IF(session_reach.reached >= stages.stage_order, session_reach.user_id, NULL)) AS users,
    COUNTIF(session_reach.reached >= stages.stage_order) AS sessions
  FROM stages
  CROSS JOIN session_reach
  GROUP BY stages.stage, stages.stage_order
),
by_unit AS (
  SELECT 'users' AS unit, stage, stage_order, users AS reached FROM counts
  UNION ALL
  SELECT 'sessions' AS unit, stage, stage_order, sessions AS reached FROM counts
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
