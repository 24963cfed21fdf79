CREATE TABLE IF NOT EXISTS `{{dataset}}.sessions` (
  session_id STRING NOT NULL OPTIONS(description="Session: a user_session split by inactivity. Within one user_session, events ordered by event_time; a new session starts at the first event and after every gap longer than G minutes to the previous event (--session-gap-minutes, default 30; 0 keeps user_session unsplit). user_session for the first part, user_session#2, user_session#3, ... for the later ones."),
  user_session STRING NOT NULL OPTIONS(description="The source's session identifier the session was split from."),
  session_index INT64 NOT NULL OPTIONS(description="1 for the first part of the user_session, 2, 3, ... for the later ones."),
  user_id INT64 NOT NULL OPTIONS(description="User of the session's first event (ties: the smallest user_id)."),
  session_start TIMESTAMP NOT NULL OPTIONS(description="Time of the first event (UTC)."),
  session_end TIMESTAMP NOT NULL OPTIONS(description="Time of the last event (UTC)."),
  duration_seconds INT64 NOT NULL OPTIONS(description="session_end - session_start in seconds."),
  event_count INT64 NOT NULL OPTIONS(description="Number of events in the session (all types)."),
  view_count INT64 NOT NULL OPTIONS(description="Number of view events."),
  cart_count INT64 NOT NULL OPTIONS(description="Number of cart events."),
  purchase_count INT64 NOT NULL OPTIONS(description="Number of purchase events."),
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over purchase events."),
  furthest_stage STRING NOT NULL OPTIONS(description="purchase if any purchase, else cart if any cart, else view."),
  session_date DATE NOT NULL OPTIONS(description="UTC date of session_start.")
)
PARTITION BY session_date
CLUSTER BY furthest_stage
OPTIONS(description="One row per session (session_id: a user_session split after every gap of more than G minutes without an event), however many days or months it spans.");
