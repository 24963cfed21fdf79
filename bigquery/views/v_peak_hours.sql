-- Peak hours (page "Traffic"), one row per covered (event_date, event_hour) (v_covered_hours: hours
-- without events inside a date's covered span are zero rows), so a date control filters it. For a date
-- range: events per covered day of an hour = SUM(events) / COUNT(event_date) (one row per covered day
-- and hour), its share = SUM(events) / the range's SUM(events); purchase_share_of_events = purchases /
-- events (a purchase is one of the hour's events, so it never exceeds 1).
SELECT
  event_date,
  event_hour,
  events,
  views,
  carts,
  removals,
  purchases,
  SAFE_DIVIDE(purchases, events) AS purchase_share_of_events
FROM `{{dataset}}.v_covered_hours`
