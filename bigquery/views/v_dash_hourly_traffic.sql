-- Dashboard hourly traffic over the whole loaded period: one row per UTC hour covered by at least one
-- date (v_covered_hours) and event type, with zeros for covered hours without that type. days_covered
-- is how many dates cover the hour, and avg_events_per_day divides by it (not by every loaded date:
-- an hour seen on one date of two is that date's figure). Hours no date covers have no row, so a chart
-- leaves them as gaps.
WITH by_type AS (
  SELECT event_date, event_hour, 'view' AS event_type, views AS events FROM `{{dataset}}.v_covered_hours`
  UNION ALL SELECT event_date, event_hour, 'cart', carts FROM `{{dataset}}.v_covered_hours`
  UNION ALL SELECT event_date, event_hour, 'remove_from_cart', removals FROM `{{dataset}}.v_covered_hours`
  UNION ALL SELECT event_date, event_hour, 'purchase', purchases FROM `{{dataset}}.v_covered_hours`
),
per_hour AS (
  SELECT
    event_hour,
    event_type,
    SUM(events) AS events,
    COUNT(*) AS days_covered,
    SAFE_DIVIDE(SUM(events), COUNT(*)) AS avg_events_per_day
  FROM by_type
  GROUP BY event_hour, event_type
),
-- event types the period never had (remove_from_cart in the multi-category store) are left out
present AS (
  SELECT event_type FROM per_hour GROUP BY event_type HAVING SUM(events) > 0
)
SELECT per_hour.event_hour, per_hour.event_type, per_hour.events, per_hour.days_covered, per_hour.avg_events_per_day
FROM per_hour
JOIN present ON present.event_type = per_hour.event_type
