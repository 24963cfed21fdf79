-- What the loaded data covers (dashboard header and the day comparison), one row. A date is complete
-- when it has events in its first (00) and its last (23) UTC hour: a file cut after three hours, or the
-- tail of a month, gives partial dates, and a partial day must not be compared with a full one.
-- hours_with_events counts the (date, UTC hour) pairs with at least one event; first_event_time and
-- last_event_time are the earliest and latest event of the sessions mart.
WITH days AS (
  SELECT
    event_date,
    MIN(event_hour) AS first_hour,
    MAX(event_hour) AS last_hour,
    COUNT(DISTINCT event_hour) AS hours_with_events
  FROM `{{dataset}}.event_type_by_hour`
  GROUP BY event_date
),
flagged AS (
  SELECT *, first_hour = 0 AND last_hour = 23 AS is_complete FROM days
),
times AS (
  SELECT MIN(session_start) AS first_event_time, MAX(session_end) AS last_event_time
  FROM `{{dataset}}.sessions`
),
summary AS (
  SELECT
    MIN(event_date) AS first_day,
    MAX(event_date) AS last_day,
    COUNT(*) AS days_with_events,
    SUM(hours_with_events) AS hours_with_events,
    COUNTIF(is_complete) AS complete_days,
    MAX(IF(is_complete, event_date, NULL)) AS last_complete_day
  FROM flagged
)
SELECT
  times.first_event_time,
  times.last_event_time,
  summary.first_day,
  summary.last_day,
  summary.days_with_events,
  summary.hours_with_events,
  summary.complete_days,
  summary.last_complete_day,
  -- the complete day before the last complete one, NULL when that day is missing or partial
  previous.event_date AS previous_complete_day,
  IFNULL(summary.last_day = summary.last_complete_day, FALSE) AS last_day_is_complete
FROM summary
CROSS JOIN times
-- CAST: DuckDB's DATE minus an interval is a TIMESTAMP (BigQuery's DATE_SUB keeps a DATE).
LEFT JOIN flagged AS previous
  ON previous.is_complete
  AND previous.event_date = CAST(DATE_SUB(summary.last_complete_day, INTERVAL 1 DAY) AS DATE)
