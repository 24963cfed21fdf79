-- Cart abandonment per month, category and brand (cart_abandonment_daily): a cart is a (user, product,
-- UTC day) with a cart event; it is purchased when that user buys that product within W hours after
-- the first cart event, removed when a remove_from_cart of it falls in the same interval, abandoned
-- otherwise. Value is the price of the first cart event. Rates are SUM over SUM within the row.
SELECT
  CAST(DATE_TRUNC(cart_date, MONTH) AS DATE) AS cart_month,
  category_l1,
  brand,
  SUM(carts) AS carts,
  SUM(purchased) AS purchased,
  SUM(abandoned) AS abandoned,
  SUM(removed) AS removed,
  SUM(abandoned_value) AS abandoned_value,
  SUM(purchased_value) AS purchased_value,
  SAFE_DIVIDE(SUM(abandoned), SUM(carts)) AS abandonment_rate,
  SAFE_DIVIDE(SUM(removed), SUM(carts)) AS removal_rate,
  SAFE_DIVIDE(SUM(abandoned_value), SUM(abandoned_value) + SUM(purchased_value)) AS abandoned_value_share
FROM `{{dataset}}.cart_abandonment_daily`
GROUP BY cart_month, category_l1, brand
