CREATE TABLE IF NOT EXISTS `{{dataset}}.funnel_ordered_daily` (
  entry_date DATE NOT NULL OPTIONS(description="UTC day of the entries."),
  entrants INT64 NOT NULL OPTIONS(description="Entries: users with at least one view that day."),
  reached_cart INT64 NOT NULL OPTIONS(description="Entries with a cart event within the window after the entry time."),
  reached_purchase INT64 NOT NULL OPTIONS(description="Entries with a purchase after their cart time and within the window after the entry time."),
  median_seconds_to_cart INT64 OPTIONS(description="Exact median of cart time - entry time in seconds over entries that reached cart (the lower middle value for an even count); NULL when there are none."),
  median_seconds_to_purchase INT64 OPTIONS(description="Exact median of purchase time - entry time in seconds over entries that reached purchase (the lower middle value for an even count); NULL when there are none."),
  avg_seconds_to_cart NUMERIC(18,2) OPTIONS(description="Mean of cart time - entry time in seconds over entries that reached cart, rounded half up to 0.01 s; NULL when there are none."),
  avg_seconds_to_purchase NUMERIC(18,2) OPTIONS(description="Mean of purchase time - entry time in seconds over entries that reached purchase, rounded half up to 0.01 s; NULL when there are none."),
  window_hours INT64 NOT NULL OPTIONS(description="The conversion window W the row was computed with, in hours.")
)
PARTITION BY entry_date
OPTIONS(description="Ordered funnel with a conversion window W (--funnel-window-hours, default 24), per entry day. An entry is a (user, UTC day) with at least one view that day; the entry time is the user's first view that day. The entry reaches cart if that user has a cart event at a time t with entry time <= t <= entry time + W; the cart time is the first such t. It reaches purchase if the user has a purchase at a time t with cart time <= t <= entry time + W; the purchase time is the first such t. Events of the next day or month count.");
