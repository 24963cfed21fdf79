CREATE TABLE IF NOT EXISTS `{{dataset}}.session_paths_monthly` (
  session_month DATE NOT NULL OPTIONS(description="First day of the UTC month of the session's start."),
  path STRING NOT NULL OPTIONS(description="The sessions' path, e.g. view>cart>view>purchase."),
  sessions INT64 NOT NULL OPTIONS(description="Sessions (session_id) with this path."),
  purchasing_sessions INT64 NOT NULL OPTIONS(description="Of those, sessions with at least one purchase."),
  revenue NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of price over those sessions' purchase events.")
)
PARTITION BY DATE_TRUNC(session_month, MONTH)
CLUSTER BY path
OPTIONS(description="Session paths per month. A session's path is its event types in order (ties on event_time in the order view, cart, remove_from_cart, purchase), consecutive repeats collapsed, the first 5 steps joined with '>' (e.g. view>cart>view>purchase).");
