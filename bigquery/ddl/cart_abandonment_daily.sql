CREATE TABLE IF NOT EXISTS `{{dataset}}.cart_abandonment_daily` (
  cart_date DATE NOT NULL OPTIONS(description="UTC day of the carts."),
  category_l1 STRING NOT NULL OPTIONS(description="First level of the cart event's category_code; where category_code is empty, 'category_id <id>' (the event's category_id: 97-98% of the cosmetics shop's events have no code)."),
  brand STRING NOT NULL OPTIONS(description="The cart event's brand, or 'unknown'."),
  carts INT64 NOT NULL OPTIONS(description="Carts: (user, product) pairs with at least one cart event that day."),
  purchased INT64 NOT NULL OPTIONS(description="Carts whose product the user purchased within the window."),
  abandoned INT64 NOT NULL OPTIONS(description="Carts not purchased within the window (carts - purchased)."),
  removed INT64 NOT NULL OPTIONS(description="Carts whose product the user removed (remove_from_cart) within the window."),
  abandoned_value NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of the abandoned carts' values (price of the first cart event)."),
  purchased_value NUMERIC(18,2) NOT NULL OPTIONS(description="Sum of the purchased carts' values (price of the first cart event)."),
  median_seconds_to_purchase INT64 OPTIONS(description="Exact median of first purchase time - cart time in seconds over purchased carts (the lower middle value for an even count); NULL when there are none.")
)
PARTITION BY cart_date
CLUSTER BY category_l1, brand
OPTIONS(description="Carts with the product held constant. A cart is a (user, product, UTC day) with at least one cart event; its time is the first such event that day and its value that event's price. It is purchased if the same user purchases the same product at a time t with cart time <= t <= cart time + W (the funnel window); removed if a remove_from_cart of that product by that user falls in the same interval; abandoned if not purchased.");
