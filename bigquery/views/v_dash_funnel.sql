-- Dashboard funnel over the whole loaded period: how many users and sessions got at least as far as
-- each stage, from the sessions mart's furthest_stage. The stages are named for what they count:
-- 'any event' holds every session (a session may hold only removals or carts, so it is not called a
-- view session), 'cart or later' the sessions whose furthest stage is cart or purchase (many real
-- buyers have no cart event), 'purchase' those with a purchase; a user's stage is the furthest any of
-- their sessions got. Each stage is inside the one before it, so step_rate (the share of the previous
-- stage that went on) and share_of_entry never exceed 1; drop_off_rate is 1 - step_rate.
-- removed / removal_rate: how many of the stage's users or sessions had a remove_from_cart event.
WITH users AS (
  SELECT
    user_id,
    MAX(CASE furthest_stage WHEN 'purchase' THEN 3 WHEN 'cart' THEN 2 ELSE 1 END) AS stage_order,
    MAX(IF(remove_from_cart_count > 0, 1, 0)) AS removed
  FROM `{{dataset}}.sessions`
  GROUP BY user_id
),
sessions AS (
  SELECT
    CASE furthest_stage WHEN 'purchase' THEN 3 WHEN 'cart' THEN 2 ELSE 1 END AS stage_order,
    IF(remove_from_cart_count > 0, 1, 0) AS removed
  FROM `{{dataset}}.sessions`
),
units AS (
  SELECT 'users' AS unit, stage_order, removed FROM users
  UNION ALL
  SELECT 'sessions' AS unit, stage_order, removed FROM sessions
),
stages AS (
  SELECT 1 AS stage_order, 'any event' AS stage
  UNION ALL SELECT 2, 'cart or later'
  UNION ALL SELECT 3, 'purchase'
),
by_unit AS (
  SELECT
    units.unit,
    stages.stage,
    stages.stage_order,
    -- a cross join, so a stage nobody reached has a row with 0
    COUNTIF(units.stage_order >= stages.stage_order) AS reached,
    SUM(IF(units.stage_order >= stages.stage_order, units.removed, 0)) AS removed
  FROM units
  CROSS JOIN stages
  GROUP BY units.unit, stages.stage, stages.stage_order
)
SELECT
  unit,
  stage,
  stage_order,
  reached,
  removed,
  SAFE_DIVIDE(removed, reached) AS removal_rate,
  SAFE_DIVIDE(reached, FIRST_VALUE(reached) OVER (PARTITION BY unit ORDER BY stage_order)) AS share_of_entry,
  SAFE_DIVIDE(reached, LAG(reached) OVER (PARTITION BY unit ORDER BY stage_order)) AS step_rate,
  1 - SAFE_DIVIDE(reached, LAG(reached) OVER (PARTITION BY unit ORDER BY stage_order)) AS drop_off_rate
FROM by_unit
