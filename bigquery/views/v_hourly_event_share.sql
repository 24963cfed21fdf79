-- Hourly traffic mix (page "Traffic"): each event type's share of the hour's events, per day and UTC hour.
-- hour_event_count lets a dashboard recompute the share over any date range: SUM(event_count) / SUM(hour_event_count).
SELECT
  event_date,
  event_hour,
  event_type,
  event_count,
  unique_users,
  SUM(event_count) OVER (PARTITION BY event_date, event_hour) AS hour_event_count,
  SAFE_DIVIDE(event_count, SUM(event_count) OVER (PARTITION BY event_date, event_hour)) AS share_of_hour
FROM `{{dataset}}.event_type_by_hour`
