"""Issue 14's definitions on hand-made rows: sessions split by inactivity, the ordered funnel with a
conversion window, cart abandonment with the product held constant, session paths."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from builders import event, events_frame
from test_marts import _session, assert_mart

from spark_jobs import contract, marts

NO_SPLIT = marts.MartOptions(session_gap_minutes=0)


def t(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 10) -> datetime:
    return datetime(2019, month, day, hour, minute, second)


# One user_session: 30 minutes exactly (same session), then 30 minutes and 1 second (a new one).
GAPS = [
    event(event_time=t(1, 10, 0), user_session="a", event_type="view"),
    event(event_time=t(1, 10, 30), user_session="a", event_type="cart"),
    event(event_time=t(1, 11, 0, 1), user_session="a", event_type="view"),
    event(event_time=t(1, 11, 10), user_session="a", event_type="purchase", price=Decimal("20.00")),
]


def test_a_gap_of_exactly_g_minutes_keeps_the_session_and_one_second_more_splits_it(spark):
    assert_mart(
        spark,
        contract.SESSIONS,
        marts.sessions(events_frame(spark, GAPS)),
        [
            _session("a", 1, t(1, 10, 0), t(1, 10, 30), (2, 1, 1, 0), "0.00", "cart"),
            _session("a", 1, t(1, 11, 0, 1), t(1, 11, 10), (2, 1, 0, 1), "20.00", "purchase", part=2),
        ],
    )


def test_gap_zero_keeps_user_session_unsplit(spark):
    assert_mart(
        spark,
        contract.SESSIONS,
        marts.sessions(events_frame(spark, GAPS), NO_SPLIT),
        [_session("a", 1, t(1, 10, 0), t(1, 11, 10), (4, 2, 1, 1), "20.00", "purchase")],
    )


def test_the_third_part_is_numbered_3_and_events_at_the_same_time_stay_together(spark):
    rows = [
        event(event_time=t(1, 8), user_session="b"),
        event(event_time=t(1, 9), user_session="b"),
        event(event_time=t(1, 10), user_session="b", event_type="cart"),
        event(event_time=t(1, 10), user_session="b", event_type="view"),
    ]
    result = marts.sessions(events_frame(spark, rows)).select("session_id", "session_index", "event_count")
    assert sorted(tuple(r) for r in result.collect()) == [("b", 1, 1), ("b#2", 2, 1), ("b#3", 3, 2)]


def test_funnel_session_measures_count_session_id(spark):
    def sessions_of(options):
        row = marts.funnel_daily(events_frame(spark, GAPS), options).first()
        return row.view_sessions, row.cart_sessions, row.purchase_sessions

    assert sessions_of(marts.DEFAULT_OPTIONS) == (2, 1, 1)
    assert sessions_of(NO_SPLIT) == (1, 1, 1)


def _ordered(entry_date, entrants, carts, purchases, medians, averages, window=24):
    return {
        "entry_date": entry_date,
        "entrants": entrants,
        "reached_cart": carts,
        "reached_purchase": purchases,
        "median_seconds_to_cart": medians[0],
        "median_seconds_to_purchase": medians[1],
        "avg_seconds_to_cart": averages[0] and Decimal(averages[0]),
        "avg_seconds_to_purchase": averages[1] and Decimal(averages[1]),
        "window_hours": window,
    }


ORDERED = [
    # user 1: cart exactly W after the entry (inside); the purchase one second after the window
    event(event_time=t(1, 10), user_id=1),
    event(event_time=t(2, 10), user_id=1, event_type="cart"),
    event(event_time=t(2, 10, 0, 1), user_id=1, event_type="purchase"),
    # user 2: cart W + 1 s after the entry (outside)
    event(event_time=t(1, 10), user_id=2),
    event(event_time=t(2, 10, 0, 1), user_id=2, event_type="cart"),
    # user 3: a purchase before the cart does not count
    event(event_time=t(1, 12), user_id=3),
    event(event_time=t(1, 12, 30), user_id=3, event_type="purchase"),
    event(event_time=t(1, 13), user_id=3, event_type="cart"),
    # user 4: the entry is the first view of the day; cart and purchase follow
    event(event_time=t(1, 8), user_id=4),
    event(event_time=t(1, 9), user_id=4),
    event(event_time=t(1, 8, 10), user_id=4, event_type="cart"),
    event(event_time=t(1, 8, 20), user_id=4, event_type="purchase"),
    # users 5 and 6 on Oct 31: user 5's window crosses midnight and the month boundary
    event(event_time=t(31, 23), user_id=5),
    event(event_time=t(1, 0, 30, month=11), user_id=5, event_type="cart"),
    event(event_time=t(1, 1, 0, month=11), user_id=5, event_type="purchase"),
    event(event_time=t(31, 22), user_id=6),
    event(event_time=t(31, 22, 10), user_id=6, event_type="cart"),
    # user 5 enters again on Nov 1 after the cart: nothing after the entry
    event(event_time=t(1, 2, 0, month=11), user_id=5),
]


def test_ordered_funnel_counts_steps_in_order_within_the_window_from_the_first_view(spark):
    assert_mart(
        spark,
        contract.FUNNEL_ORDERED_DAILY,
        marts.funnel_ordered_daily(events_frame(spark, ORDERED)),
        [
            # to cart: 86400 (user 1), 3600 (user 3), 600 (user 4); to purchase: 1200 (user 4)
            _ordered(date(2019, 10, 1), 4, 3, 1, (3600, 1200), ("30200.00", "1200.00")),
            # to cart: 600 and 5400, the lower middle of an even count is 600; to purchase 7200
            _ordered(date(2019, 10, 31), 2, 2, 1, (600, 7200), ("3000.00", "7200.00")),
            _ordered(date(2019, 11, 1), 1, 0, 0, (None, None), (None, None)),
        ],
    )


def test_ordered_funnel_window_is_the_option_and_is_reported(spark):
    result = marts.funnel_ordered_daily(
        events_frame(spark, ORDERED), marts.MartOptions(funnel_window_hours=1)
    )
    row = result.where("entry_date = '2019-10-01'").first()
    # user 1's cart is now outside; users 3 (1 h exactly) and 4 remain
    assert (row.reached_cart, row.reached_purchase, row.window_hours) == (2, 1, 1)
    assert row.median_seconds_to_cart == 600


def _carts(cart_date, category, brand, counts, values, median):
    carts, purchased, abandoned, removed = counts
    return {
        "cart_date": cart_date,
        "category_l1": category,
        "brand": brand,
        "carts": carts,
        "purchased": purchased,
        "abandoned": abandoned,
        "removed": removed,
        "abandoned_value": Decimal(values[0]),
        "purchased_value": Decimal(values[1]),
        "median_seconds_to_purchase": median,
    }


UNKNOWN_PRODUCT = {"brand": None, "category_code": None, "category_l1": None, "category_l2": None}
CARTS = [
    # user 1, product 1: carted twice on Oct 1 (one cart, valued at the first event), bought on Oct 2
    event(event_time=t(1, 10), user_id=1, event_type="cart", price=Decimal("50.00")),
    event(event_time=t(1, 11), user_id=1, event_type="cart", price=Decimal("60.00")),
    event(event_time=t(2, 9), user_id=1, event_type="purchase", price=Decimal("50.00")),
    # ... and carted again on Oct 2: a second cart, bought an hour later by the same purchase
    event(event_time=t(2, 8), user_id=1, event_type="cart", price=Decimal("55.00")),
    # user 2, product 1: removed, and bought one second after the window
    event(event_time=t(1, 10), user_id=2, event_type="cart", price=Decimal("50.00")),
    event(event_time=t(1, 10, 30), user_id=2, event_type="remove_from_cart"),
    event(event_time=t(2, 10, 0, 1), user_id=2, event_type="purchase"),
    # user 3, product 2 without category or brand: bought before the cart (not counted)
    event(event_time=t(1, 11), user_id=3, product_id=2, event_type="purchase", **UNKNOWN_PRODUCT),
    event(
        event_time=t(1, 12),
        user_id=3,
        product_id=2,
        event_type="cart",
        price=Decimal("5.50"),
        **UNKNOWN_PRODUCT,
    ),
    # user 3 buys product 1 within user 1's window: another user, not user 1's purchase
    event(event_time=t(1, 10, 5), user_id=3, event_type="purchase"),
]


def test_cart_abandonment_holds_user_and_product_and_counts_purchases_and_removals_within_the_window(spark):
    assert_mart(
        spark,
        contract.CART_ABANDONMENT_DAILY,
        marts.cart_abandonment_daily(events_frame(spark, CARTS)),
        [
            _carts(date(2019, 10, 1), "electronics", "samsung", (2, 1, 1, 1), ("50.00", "50.00"), 82800),
            # no category_code: the category_id fallback every mart uses (contract.CATEGORY_ID_LABEL)
            _carts(date(2019, 10, 1), "category_id 10", "unknown", (1, 0, 1, 0), ("5.50", "0.00"), None),
            _carts(date(2019, 10, 2), "electronics", "samsung", (1, 1, 0, 0), ("0.00", "55.00"), 3600),
        ],
    )


def _paths(path, sessions, purchasing, revenue):
    return {
        "session_month": date(2019, 10, 1),
        "path": path,
        "sessions": sessions,
        "purchasing_sessions": purchasing,
        "revenue": Decimal(revenue),
    }


PATHS = [
    # ties: the purchase listed first, yet cart comes before purchase at the same time
    event(event_time=t(1, 10, 2), user_session="s1", event_type="purchase", price=Decimal("10.00")),
    event(event_time=t(1, 10, 0), user_session="s1", event_type="view"),
    event(event_time=t(1, 10, 1), user_session="s1", event_type="view"),
    event(event_time=t(1, 10, 2), user_session="s1", event_type="cart"),
    # a view and a purchase at the same time: view first
    event(event_time=t(1, 11, 0), user_session="s2", event_type="purchase", price=Decimal("7.00")),
    event(event_time=t(1, 11, 0), user_session="s2", event_type="view"),
    event(event_time=t(1, 11, 1), user_session="s2", event_type="cart"),
    # more than 5 steps: the first 5 are kept
    *(
        event(event_time=t(1, 12, minute), user_session="s3", event_type=kind, price=Decimal("3.00"))
        for minute, kind in enumerate(
            ["view", "cart", "view", "cart", "view", "remove_from_cart", "purchase"]
        )
    ),
    # two sessions of one user_session (a gap of an hour), one view each
    event(event_time=t(1, 14), user_session="s4"),
    event(event_time=t(1, 15), user_session="s4"),
]


def test_session_paths_order_ties_collapse_repeats_and_keep_five_steps(spark):
    assert_mart(
        spark,
        contract.SESSION_PATHS_MONTHLY,
        marts.session_paths_monthly(events_frame(spark, PATHS)),
        [
            _paths("view>cart>purchase", 1, 1, "10.00"),
            _paths("view>purchase>cart", 1, 1, "7.00"),
            _paths("view>cart>view>cart>view", 1, 1, "3.00"),
            _paths("view", 2, 0, "0.00"),
        ],
    )


def test_session_paths_with_gap_zero_follow_user_session(spark):
    result = marts.session_paths_monthly(events_frame(spark, PATHS[-2:]), NO_SPLIT)
    assert [(r.path, r.sessions) for r in result.collect()] == [("view", 1)]
