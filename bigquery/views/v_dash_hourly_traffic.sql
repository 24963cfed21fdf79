-- Dashboard hourly traffic over the whole loaded period: events per UTC hour and event type, and the
-- average per day (days = dates with any event).
WITH period AS (
  SELECT COUNT(DISTINCT event_date) AS days FROM `{{dataset}}.event_type_by_hour`
)
SELECT
  hourly.event_hour,
  hourly.event_type,
  hourly.events,
  SAFE_DIVIDE(hourly.events, period.days) AS avg_events_per_day
FROM (
  SELECT event_hour, event_type, SUM(event_count) AS events
  FROM `{{dataset}}.event_type_by_hour`
  GROUP BY event_hour, event_type
) AS hourly
CROSS JOIN period
