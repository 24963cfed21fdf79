-- Drop-off stages (page "Sessions"): how far sessions got (furthest_stage view < cart < purchase), per day.
-- Sessions whose furthest stage is 'view' dropped off before the cart (they hold views and removals
-- only, so stage_label says 'no cart or purchase'); 'cart' ones before purchasing.
SELECT
  session_date,
  furthest_stage,
  CASE furthest_stage WHEN 'view' THEN 1 WHEN 'cart' THEN 2 WHEN 'purchase' THEN 3 END AS stage_order,
  CASE furthest_stage WHEN 'view' THEN 'no cart or purchase' WHEN 'cart' THEN 'cart, no purchase' ELSE 'purchase' END
    AS stage_label,
  COUNT(*) AS sessions,
  COUNTIF(event_count = 1) AS bounce_sessions,
  SAFE_DIVIDE(COUNT(*), SUM(COUNT(*)) OVER (PARTITION BY session_date)) AS share_of_sessions
FROM `{{dataset}}.sessions`
GROUP BY session_date, furthest_stage
