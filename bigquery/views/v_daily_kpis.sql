-- Daily KPIs (page "Overview"), one row per UTC event date, from funnel_daily. One definition per name
-- (spark_jobs/contract.py RATE_DEFINITIONS; the same names mean the same thing in every view):
--   active_users / active_sessions: distinct users / sessions with any event that day (a session that
--     crosses midnight is active on both days; v_session_kpis.sessions counts sessions on the day they
--     started); viewers, carters, removers, buyers: distinct users with at least one view, cart,
--     remove_from_cart, purchase that day;
--   view_to_cart_rate = viewers_who_carted / viewers; view_to_purchase_rate = viewers_who_purchased /
--     viewers; cart_to_purchase_rate = carters_who_purchased / carters; cart_removal_rate =
--     carters_who_removed / carters; session_conversion_rate = purchase_sessions / active_sessions.
-- Every numerator is a subset of its denominator (users buy without a cart event and cart without a
-- view, so buyers / carters is not a share and reached 174% on real rows). Over a date range divide the
-- sums (SUM(viewers_who_purchased) / SUM(viewers)): a share of user-days, since distinct users of
-- different days cannot be added up.
SELECT
  event_date,
  users AS active_users,
  sessions AS active_sessions,
  view_count AS views,
  cart_count AS carts,
  remove_from_cart_count AS removals,
  purchase_count AS purchases,
  viewers,
  carters,
  removers,
  purchasers AS buyers,
  viewers_who_carted,
  viewers_who_purchased,
  carters_who_purchased,
  carters_who_removed,
  purchase_sessions,
  revenue,
  SAFE_DIVIDE(revenue, purchase_count) AS revenue_per_purchase,
  SAFE_DIVIDE(viewers_who_carted, viewers) AS view_to_cart_rate,
  SAFE_DIVIDE(carters_who_purchased, carters) AS cart_to_purchase_rate,
  SAFE_DIVIDE(viewers_who_purchased, viewers) AS view_to_purchase_rate,
  SAFE_DIVIDE(carters_who_removed, carters) AS cart_removal_rate,
  SAFE_DIVIDE(purchase_sessions, sessions) AS session_conversion_rate
FROM `{{dataset}}.funnel_daily`
