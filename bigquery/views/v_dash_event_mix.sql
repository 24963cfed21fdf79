-- Dashboard event-type mix over the whole loaded period: events per type and their share of all events.
SELECT
  event_type,
  SUM(event_count) AS events,
  SAFE_DIVIDE(SUM(event_count), SUM(SUM(event_count)) OVER ()) AS share_of_events
FROM `{{dataset}}.event_type_by_hour`
GROUP BY event_type
