-- Ordered funnel by entry day (funnel_ordered_daily): an entry is a user's first view of a UTC day; it
-- reaches cart with a cart event within W hours (window_hours) after it, and purchase with a purchase
-- after that cart and within the same W hours. Every rate is the share of a set holding its numerator:
-- reached_purchase entries all reached cart. Times to convert are from the entry time; medians are
-- exact per day (they cannot be combined across days; for a period use SUM over SUM of the counts).
SELECT
  entry_date,
  window_hours,
  entrants,
  reached_cart,
  reached_purchase,
  SAFE_DIVIDE(reached_cart, entrants) AS entry_to_cart_rate,
  SAFE_DIVIDE(reached_purchase, reached_cart) AS cart_to_purchase_rate,
  SAFE_DIVIDE(reached_purchase, entrants) AS entry_to_purchase_rate,
  median_seconds_to_cart,
  median_seconds_to_purchase,
  avg_seconds_to_cart,
  avg_seconds_to_purchase
FROM `{{dataset}}.funnel_ordered_daily`
