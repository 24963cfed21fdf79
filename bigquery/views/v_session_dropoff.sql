-- Drop-off stages (page "Sessions"): how far sessions got (furthest_stage view < cart < purchase), per day.
-- Sessions whose furthest stage is 'view' dropped off before the cart; 'cart' ones before purchasing.
SELECT
  session_date,
  furthest_stage,
  CASE furthest_stage WHEN 'view' THEN 1 WHEN 'cart' THEN 2 WHEN 'purchase' THEN 3 END AS stage_order,
  COUNT(*) AS sessions,
  COUNTIF(event_count = 1) AS bounce_sessions,
  SAFE_DIVIDE(COUNT(*), SUM(COUNT(*)) OVER (PARTITION BY session_date)) AS share_of_sessions
FROM `{{dataset}}.sessions`
GROUP BY session_date, furthest_stage
