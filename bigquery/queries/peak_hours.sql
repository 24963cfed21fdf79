-- When is traffic highest, and when do purchases happen? The five busiest UTC hours over the loaded
-- period, by events per covered day (v_dash_hours: an hour's average divides by the days that cover it).
SELECT
  event_hour,
  days_covered,
  events,
  avg_events_per_day,
  share_of_events,
  purchases,
  purchase_rank,
  hours_of_day_covered
FROM `{{dataset}}.v_dash_hours`
WHERE traffic_rank <= 5
ORDER BY traffic_rank, event_hour
