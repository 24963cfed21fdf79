-- When is traffic highest, and when do purchases happen? The five busiest UTC hours over the loaded period.
SELECT
  event_hour,
  events,
  avg_events_per_day,
  share_of_events,
  purchases,
  purchase_rank
FROM `{{dataset}}.v_peak_hours`
WHERE traffic_rank <= 5
ORDER BY traffic_rank, event_hour
