-- Dashboard peak-hour call-out, one row per UTC hour covered by at least one date (v_covered_hours)
-- over the whole loaded period. days_covered: dates covering the hour; avg_events_per_day = events /
-- days_covered; traffic_rank ranks the hours by that average (the earliest hour first on a tie),
-- purchase_rank by purchases per covered day. hours_of_day_covered (the same on every row) is how many
-- of the 24 hours any date covers: with fewer than 24 the busiest hour is not a peak of the day.
WITH by_hour AS (
  SELECT
    event_hour,
    COUNT(*) AS days_covered,
    SUM(events) AS events,
    SUM(views) AS views,
    SUM(carts) AS carts,
    SUM(removals) AS removals,
    SUM(purchases) AS purchases
  FROM `{{dataset}}.v_covered_hours`
  GROUP BY event_hour
)
SELECT
  event_hour,
  days_covered,
  events,
  views,
  carts,
  removals,
  purchases,
  SAFE_DIVIDE(events, days_covered) AS avg_events_per_day,
  SAFE_DIVIDE(purchases, days_covered) AS avg_purchases_per_day,
  SAFE_DIVIDE(events, SUM(events) OVER ()) AS share_of_events,
  RANK() OVER (ORDER BY SAFE_DIVIDE(events, days_covered) DESC, event_hour) AS traffic_rank,
  RANK() OVER (ORDER BY SAFE_DIVIDE(purchases, days_covered) DESC, event_hour) AS purchase_rank,
  COUNT(*) OVER () AS hours_of_day_covered
FROM by_hour
