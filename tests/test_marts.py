"""The marts contract: every mart's columns on hand-made clean events, compared row by row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from builders import event, events_frame, frame_of
from chispa import assert_df_equality

from spark_jobs import contract, marts

T0 = datetime(2019, 10, 1, 10, 0, 0)


def at(hour: int, minute: int = 0, day_: int = 1, month: int = 10) -> datetime:
    return datetime(2019, month, day_, hour, minute, 0)


def assert_mart(spark, table, actual, expected_rows):
    expected = frame_of(spark, table, expected_rows)
    assert actual.columns == table.column_names
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def user_sets(**counts) -> dict:
    """contract.USER_SETS columns, 0 unless given."""
    return {name: counts.pop(name, 0) for name in contract.USER_SETS} | _no_extra(counts)


def session_sets(**counts) -> dict:
    """contract.SESSION_SETS columns, 0 unless given."""
    return {name: counts.pop(name, 0) for name in contract.SESSION_SETS} | _no_extra(counts)


def _no_extra(counts: dict) -> dict:
    assert not counts, f"not a set of the contract: {sorted(counts)}"
    return {}


# Two users, two sessions on Oct 1; user 1 views, carts and buys product 1; user 2 only views.
DAY_ONE = [
    event(event_time=at(10, 0), user_id=1, user_session="s1", event_type="view", product_id=1),
    event(event_time=at(10, 5), user_id=1, user_session="s1", event_type="view", product_id=1),
    event(event_time=at(10, 7), user_id=1, user_session="s1", event_type="cart", product_id=1),
    event(
        event_time=at(10, 9),
        user_id=1,
        user_session="s1",
        event_type="purchase",
        product_id=1,
        price=Decimal("100.00"),
    ),
    event(
        event_time=at(11, 0),
        user_id=2,
        user_session="s2",
        event_type="view",
        product_id=2,
        brand=None,
        category_code=None,
        category_l1=None,
        category_l2=None,
        price=Decimal("5.50"),
    ),
]


def test_event_type_by_hour_counts_events_and_distinct_users_per_hour_and_type(spark):
    actual = marts.event_type_by_hour(events_frame(spark, DAY_ONE))
    assert_mart(
        spark,
        contract.EVENT_TYPE_BY_HOUR,
        actual,
        [
            {
                "event_date": date(2019, 10, 1),
                "event_hour": 10,
                "event_type": "view",
                "event_count": 2,
                "unique_users": 1,
            },
            {
                "event_date": date(2019, 10, 1),
                "event_hour": 10,
                "event_type": "cart",
                "event_count": 1,
                "unique_users": 1,
            },
            {
                "event_date": date(2019, 10, 1),
                "event_hour": 10,
                "event_type": "purchase",
                "event_count": 1,
                "unique_users": 1,
            },
            {
                "event_date": date(2019, 10, 1),
                "event_hour": 11,
                "event_type": "view",
                "event_count": 1,
                "unique_users": 1,
            },
        ],
    )


def test_funnel_daily_counts_events_users_sessions_and_revenue(spark):
    actual = marts.funnel_daily(events_frame(spark, DAY_ONE))
    assert_mart(
        spark,
        contract.FUNNEL_DAILY,
        actual,
        [
            {
                "event_date": date(2019, 10, 1),
                "view_count": 3,
                "cart_count": 1,
                "remove_from_cart_count": 0,
                "purchase_count": 1,
                **user_sets(
                    users=2,
                    viewers=2,
                    carters=1,
                    purchasers=1,
                    viewers_who_carted=1,
                    viewers_who_purchased=1,
                    carters_who_purchased=1,
                ),
                **session_sets(sessions=2, view_sessions=2, cart_sessions=1, purchase_sessions=1),
                "revenue": Decimal("100.00"),
            }
        ],
    )


def test_funnel_daily_revenue_is_zero_without_purchases(spark):
    rows = [event(event_type="view", price=Decimal("9.99"))]
    assert marts.funnel_daily(events_frame(spark, rows)).first().revenue == Decimal("0.00")


def test_remove_from_cart_events_are_counted_but_are_not_funnel_stages(spark):
    rows = [event(event_type="remove_from_cart")]
    row = marts.funnel_daily(events_frame(spark, rows)).first()
    assert (row.view_count, row.cart_count, row.purchase_count, row.viewers) == (0, 0, 0, 0)
    assert (row.remove_from_cart_count, row.removers, row.users, row.remove_sessions, row.sessions) == (
        1,
        1,
        1,
        1,
        1,
    )


def test_rate_numerators_count_users_inside_their_denominators(spark):
    """Real users buy without a cart event and cart without a view; intersections count them once.

    user 1: view, cart, remove; user 2: purchase only; user 3: cart and purchase, no view;
    user 4: view and purchase (no cart).
    """
    rows = [
        event(user_id=1, user_session="a", event_type="view"),
        event(user_id=1, user_session="a", event_type="cart"),
        event(user_id=1, user_session="b", event_type="remove_from_cart"),
        event(user_id=2, user_session="c", event_type="purchase"),
        event(user_id=3, user_session="d", event_type="cart"),
        event(user_id=3, user_session="d", event_type="purchase"),
        event(user_id=4, user_session="e", event_type="view"),
        event(user_id=4, user_session="f", event_type="purchase"),
    ]
    row = marts.funnel_daily(events_frame(spark, rows)).first().asDict()
    assert {name: row[name] for name in contract.USER_SETS} == user_sets(
        users=4,
        viewers=2,
        carters=2,
        removers=1,
        purchasers=3,
        viewers_who_carted=1,
        viewers_who_purchased=1,
        carters_who_purchased=1,
        carters_who_removed=1,
    )
    assert {name: row[name] for name in contract.SESSION_SETS} == session_sets(
        sessions=6, view_sessions=2, cart_sessions=2, remove_sessions=1, purchase_sessions=3
    )


def test_category_brand_daily_falls_back_to_the_category_id_and_groups_missing_brands_as_unknown(spark):
    actual = marts.category_brand_daily(events_frame(spark, DAY_ONE))
    assert_mart(
        spark,
        contract.CATEGORY_BRAND_DAILY,
        actual,
        [
            {
                "event_date": date(2019, 10, 1),
                "category_l1": "electronics",
                "category_code": "electronics.smartphone",
                "brand": "samsung",
                "view_count": 2,
                "cart_count": 1,
                "remove_from_cart_count": 0,
                "purchase_count": 1,
                **user_sets(
                    users=1,
                    viewers=1,
                    carters=1,
                    purchasers=1,
                    viewers_who_carted=1,
                    viewers_who_purchased=1,
                    carters_who_purchased=1,
                ),
                "revenue": Decimal("100.00"),
            },
            {
                "event_date": date(2019, 10, 1),
                "category_l1": "category_id 10",
                "category_code": "category_id 10",
                "brand": "unknown",
                "view_count": 1,
                "cart_count": 0,
                "remove_from_cart_count": 0,
                "purchase_count": 0,
                **user_sets(users=1, viewers=1),
                "revenue": Decimal("0.00"),
            },
        ],
    )


def _funnel(viewers, carters, purchasers, view_s, cart_s, purchase_s, revenue):
    """Funnel measures of users who either did every stage they reached, or only one stage."""
    both = min(viewers, carters)
    return {
        **user_sets(
            users=max(viewers, carters, purchasers),
            viewers=viewers,
            carters=carters,
            purchasers=purchasers,
            viewers_who_carted=both,
            viewers_who_purchased=min(viewers, purchasers),
            carters_who_purchased=min(carters, purchasers),
        ),
        **session_sets(
            sessions=max(view_s, cart_s, purchase_s),
            view_sessions=view_s,
            cart_sessions=cart_s,
            purchase_sessions=purchase_s,
        ),
        "revenue": Decimal(revenue),
    }


def test_funnel_by_category_is_monthly_with_distinct_users_and_sessions(spark):
    rows = [*DAY_ONE, event(event_time=at(9, day_=2), user_id=1, user_session="s3", event_type="view")]
    actual = marts.funnel_by_category(events_frame(spark, rows))
    assert_mart(
        spark,
        contract.FUNNEL_BY_CATEGORY,
        actual,
        [
            {
                "event_month": date(2019, 10, 1),
                "category_l1": "electronics",
                **_funnel(1, 1, 1, 2, 1, 1, "100.00"),
            },
            {
                "event_month": date(2019, 10, 1),
                "category_l1": "category_id 10",
                **_funnel(1, 0, 0, 1, 0, 0, "0.00"),
            },
        ],
    )


def test_funnel_by_brand_separates_months(spark):
    rows = [
        *DAY_ONE,
        event(event_time=at(9, day_=1, month=11), user_id=3, user_session="s4", event_type="cart"),
    ]
    actual = marts.funnel_by_brand(events_frame(spark, rows))
    assert_mart(
        spark,
        contract.FUNNEL_BY_BRAND,
        actual,
        [
            {"event_month": date(2019, 10, 1), "brand": "samsung", **_funnel(1, 1, 1, 1, 1, 1, "100.00")},
            {"event_month": date(2019, 10, 1), "brand": "unknown", **_funnel(1, 0, 0, 1, 0, 0, "0.00")},
            {"event_month": date(2019, 11, 1), "brand": "samsung", **_funnel(0, 1, 0, 0, 1, 0, "0.00")},
        ],
    )


def test_product_funnel_gives_conversion_inputs_per_product_and_month(spark):
    actual = marts.product_funnel(events_frame(spark, DAY_ONE))
    assert_mart(
        spark,
        contract.PRODUCT_FUNNEL,
        actual,
        [
            {
                "event_month": date(2019, 10, 1),
                "product_id": 1,
                "view_count": 2,
                "cart_count": 1,
                "remove_from_cart_count": 0,
                "purchase_count": 1,
                **user_sets(
                    users=1,
                    viewers=1,
                    carters=1,
                    purchasers=1,
                    viewers_who_carted=1,
                    viewers_who_purchased=1,
                    carters_who_purchased=1,
                ),
                "revenue": Decimal("100.00"),
            },
            {
                "event_month": date(2019, 10, 1),
                "product_id": 2,
                "view_count": 1,
                "cart_count": 0,
                "remove_from_cart_count": 0,
                "purchase_count": 0,
                **user_sets(users=1, viewers=1),
                "revenue": Decimal("0.00"),
            },
        ],
    )


def _session(session, user, start, end, counts, revenue, stage, part=1):
    events, views, carts, purchases = counts  # no removals in these sessions
    return {
        "session_id": session if part == 1 else f"{session}#{part}",
        "user_session": session,
        "session_index": part,
        "user_id": user,
        "session_start": start,
        "session_end": end,
        "duration_seconds": int((end - start).total_seconds()),
        "event_count": events,
        "view_count": views,
        "cart_count": carts,
        "remove_from_cart_count": 0,
        "purchase_count": purchases,
        "revenue": Decimal(revenue),
        "furthest_stage": stage,
        "session_date": start.date(),
    }


def test_sessions_have_one_row_with_times_counts_revenue_and_furthest_stage(spark):
    actual = marts.sessions(events_frame(spark, DAY_ONE))
    assert_mart(
        spark,
        contract.SESSIONS,
        actual,
        [
            _session("s1", 1, at(10, 0), at(10, 9), (4, 2, 1, 1), "100.00", "purchase"),
            _session("s2", 2, at(11, 0), at(11, 0), (1, 1, 0, 0), "0.00", "view"),
        ],
    )


def test_a_session_crossing_midnight_and_a_month_boundary_is_one_row_dated_by_its_start(spark):
    rows = [
        event(event_time=datetime(2019, 10, 31, 23, 50), user_session="night", event_type="view"),
        event(event_time=datetime(2019, 11, 1, 0, 10), user_session="night", event_type="cart"),
    ]
    actual = marts.sessions(events_frame(spark, rows))
    assert_mart(
        spark,
        contract.SESSIONS,
        actual,
        [
            _session(
                "night",
                1,
                datetime(2019, 10, 31, 23, 50),
                datetime(2019, 11, 1, 0, 10),
                (2, 1, 1, 0),
                "0.00",
                "cart",
            ),
        ],
    )


def test_session_user_is_the_first_events_user_and_the_smallest_on_a_tie(spark):
    rows = [
        event(event_time=at(10, 0), user_id=9, user_session="shared"),
        event(event_time=at(10, 0), user_id=7, user_session="shared"),
        event(event_time=at(9, 45), user_id=8, user_session="later"),
        event(event_time=at(10, 0), user_id=3, user_session="later"),
    ]
    result = {r.session_id: r.user_id for r in marts.sessions(events_frame(spark, rows)).collect()}
    assert result == {"shared": 7, "later": 8}


def test_every_mart_has_a_builder_returning_the_contract_schema(spark):
    events = events_frame(spark, DAY_ONE)
    for table in contract.MARTS:
        assert marts.BUILDERS[table.name](events).columns == table.column_names
        assert marts.BUILDERS[table.name](events, marts.MartOptions(0, 1)).columns == table.column_names


def test_the_split_session_marts_read_only_the_columns_the_staged_split_keeps(spark):
    events = events_frame(spark, DAY_ONE)
    gap = marts.DEFAULT_OPTIONS.session_gap_minutes
    split = marts.with_session_ids(events.select(*marts.SPLIT_SESSION_COLUMNS), gap)
    for name in marts.SPLIT_SESSION_MARTS:
        assert sorted(marts.BUILDERS[name](split).collect()) == sorted(marts.BUILDERS[name](events).collect())
