"""A tiny hand-made lake for the warehouse tests, and the numbers every view must show for it.

Two months: 2019-10 (two days) and 2019-11 (one day). Mart rows are written by hand (not computed
by the marts job) so each view's expected numbers can be worked out on paper; they are listed in
EXPECTED_VIEWS for the lake with both months loaded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from spark_jobs import contract
from spark_jobs.contract import Table
from spark_jobs.lake import Lake
from spark_jobs.schemas import arrow_type

OCT1, OCT2, NOV1 = dt.date(2019, 10, 1), dt.date(2019, 10, 2), dt.date(2019, 11, 1)
OCT, NOV = dt.date(2019, 10, 1), dt.date(2019, 11, 1)
CHECKED_AT = dt.datetime(2019, 12, 1, 3, 0, tzinfo=dt.timezone.utc)


def ts(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.timezone.utc)


def rows(columns: str, *values: tuple) -> list[dict]:
    names = columns.split()
    return [dict(zip(names, value, strict=True)) for value in values]


def event(time, kind, product, session, user, brand="acme", code="electronics.phone", price="10.50") -> tuple:
    l1 = code.split(".")[0] if code else None
    return (time, time.date(), time.hour, kind, product, 5, code, l1, None, None, brand, Decimal(price), user, session)  # fmt: skip


EVENTS = rows(
    "event_time event_date event_hour event_type product_id category_id category_code category_l1 category_l2 "
    "category_l3 brand price user_id user_session",
    event(ts(OCT1, 8), "view", 1, "s1", 1),
    event(ts(OCT1, 8, 5), "cart", 1, "s1", 1),
    event(ts(OCT2, 9), "purchase", 1, "s2", 1),
    event(ts(NOV1, 10), "view", 2, "s5", 2, brand=None, code=None),
)
FUNNEL = "view_count cart_count purchase_count viewers carters purchasers view_sessions cart_sessions purchase_sessions"
FUNNEL_DAILY = rows(
    "event_date " + FUNNEL + " revenue",
    (OCT1, 10, 4, 2, 8, 4, 2, 9, 4, 3, Decimal("25.50")),
    (OCT2, 5, 0, 0, 5, 0, 0, 5, 0, 0, Decimal("0.00")),
    (NOV1, 4, 2, 1, 4, 2, 1, 4, 2, 1, Decimal("100.00")),
)
EVENT_TYPE_BY_HOUR = rows(
    "event_date event_hour event_type event_count unique_users",
    (OCT1, 8, "view", 6, 5),
    (OCT1, 8, "cart", 2, 2),
    (OCT1, 9, "view", 4, 4),
    (OCT1, 9, "cart", 2, 2),
    (OCT1, 9, "purchase", 2, 2),
    (OCT2, 8, "view", 5, 5),
    (NOV1, 10, "view", 4, 4),
    (NOV1, 10, "cart", 2, 2),
    (NOV1, 10, "purchase", 1, 1),
)
CATEGORY_BRAND_DAILY = rows(
    "event_date category_l1 category_code brand view_count cart_count purchase_count unique_users revenue",
    (OCT1, "electronics", "electronics.phone", "acme", 6, 3, 2, 5, Decimal("25.50")),
    (OCT1, "unknown", "unknown", "unknown", 4, 1, 0, 3, Decimal("0.00")),
    (OCT2, "electronics", "electronics.phone", "acme", 5, 0, 0, 5, Decimal("0.00")),
    (NOV1, "appliances", "appliances.kitchen", "zeta", 4, 2, 1, 4, Decimal("100.00")),
)
SEGMENT = "viewers carters purchasers view_sessions cart_sessions purchase_sessions revenue"
FUNNEL_BY_CATEGORY = rows(
    "event_month category_l1 " + SEGMENT,
    (OCT, "electronics", 7, 3, 2, 8, 3, 2, Decimal("25.50")),
    (OCT, "unknown", 3, 1, 0, 3, 1, 0, Decimal("0.00")),
    (NOV, "appliances", 4, 2, 1, 4, 2, 1, Decimal("100.00")),
)
FUNNEL_BY_BRAND = rows(
    "event_month brand " + SEGMENT,
    (OCT, "acme", 7, 3, 2, 8, 3, 2, Decimal("25.50")),
    (OCT, "unknown", 3, 1, 0, 3, 1, 0, Decimal("0.00")),
    (NOV, "zeta", 4, 2, 1, 4, 2, 1, Decimal("100.00")),
)
PRODUCT_FUNNEL = rows(
    "event_month product_id view_count cart_count purchase_count viewers carters purchasers revenue",
    (OCT, 1, 11, 4, 2, 10, 4, 2, Decimal("25.50")),
    (OCT, 3, 4, 0, 0, 3, 0, 0, Decimal("0.00")),
    (NOV, 2, 4, 2, 1, 4, 2, 1, Decimal("100.00")),
)
SESSIONS = rows(
    "user_session user_id session_start session_end duration_seconds event_count view_count cart_count "
    "purchase_count revenue furthest_stage session_date",
    ("s1", 1, ts(OCT1, 8), ts(OCT1, 8, 10), 600, 3, 2, 1, 0, Decimal("0.00"), "cart", OCT1),
    ("s2", 1, ts(OCT1, 9), ts(OCT1, 9), 0, 1, 1, 0, 0, Decimal("0.00"), "view", OCT1),
    ("s3", 2, ts(OCT1, 9, 30), ts(OCT1, 9, 50), 1200, 4, 2, 1, 1, Decimal("10.50"), "purchase", OCT1),
    ("s4", 3, ts(OCT2, 8), ts(OCT2, 8), 0, 1, 1, 0, 0, Decimal("0.00"), "view", OCT2),
    ("s5", 2, ts(NOV1, 10), ts(NOV1, 10, 5), 300, 2, 1, 0, 1, Decimal("100.00"), "purchase", NOV1),
)
DATA_QUALITY = rows(
    "batch_id checked_at outcome reason row_count",
    ("2019-10", CHECKED_AT, "valid", "", 90),
    ("2019-10", CHECKED_AT, "duplicate", "", 5),
    ("2019-10", CHECKED_AT, "quarantined", "bad_event_time", 2),
    ("2019-10", CHECKED_AT, "quarantined", "bad_price", 3),
    ("2019-11", CHECKED_AT, "valid", "", 50),
    ("2019-11", CHECKED_AT, "duplicate", "", 0),
)
LAKE_ROWS: dict[str, list[dict]] = {
    "events": EVENTS,
    "data_quality": DATA_QUALITY,
    "event_type_by_hour": EVENT_TYPE_BY_HOUR,
    "funnel_daily": FUNNEL_DAILY,
    "category_brand_daily": CATEGORY_BRAND_DAILY,
    "funnel_by_category": FUNNEL_BY_CATEGORY,
    "funnel_by_brand": FUNNEL_BY_BRAND,
    "product_funnel": PRODUCT_FUNNEL,
    "sessions": SESSIONS,
}
assert set(LAKE_ROWS) == {table.name for table in contract.WAREHOUSE_TABLES}


def write_table(lake: Lake, table: Table, table_rows: list[dict], months: set[str] | None = None) -> None:
    """Write rows the way the Spark jobs do: one folder per partition value, partition column left out."""
    folder_column = table.partition_column or "batch_id"
    groups: dict[str, list[dict]] = {}
    for row in table_rows:
        key = str(row[folder_column])
        if months is None or key[:7] in months:
            groups.setdefault(key, []).append(row)
    columns = [c for c in table.columns if c.name != table.partition_column]
    schema = pa.schema([pa.field(c.name, arrow_type(c), c.nullable) for c in columns])
    for key, group in groups.items():
        name = f"{table.partition_column}={key}" if table.partition_column else key
        folder = Path(lake.table_path(table)) / name
        folder.mkdir(parents=True, exist_ok=True)
        data = pa.Table.from_pylist([{c.name: row[c.name] for c in columns} for row in group], schema=schema)
        pq.write_table(data, folder / "part-00000.parquet")


def corrupt_data_pages(path: str) -> None:
    """Garble the start of a Parquet file's first data page, keeping its footer readable: the plan
    (footers only) accepts the file and the load fails half-way, after other tables were handled."""
    data = bytearray(Path(path).read_bytes())
    data[4:40] = b"\xff" * 36
    Path(path).write_bytes(bytes(data))


def build_lake(root: Path, months: set[str] | None = None) -> Lake:
    """The hand-made lake (both months, or only `months`) under `root`."""
    lake = Lake(str(root))
    for table in contract.WAREHOUSE_TABLES:
        write_table(lake, table, LAKE_ROWS[table.name], months)
    return lake


# Rows of numbers read better one row per line:
# fmt: off
# Expected view rows with both months loaded: view -> key columns -> {column: value}.
# Rates are compared approximately; None means SQL NULL (SAFE_DIVIDE by zero).
EXPECTED_VIEWS: dict[str, tuple[tuple[str, ...], dict[tuple, dict]]] = {
    "v_daily_kpis": (
        ("event_date",),
        {
            (OCT1,): dict(
                users=8, sessions=9, views=10, carts=4, purchases=2, cart_users=4, buyers=2, purchase_sessions=3,
                revenue=25.5, revenue_per_purchase=12.75, view_to_cart_rate=0.5, cart_to_purchase_rate=0.5,
                view_to_purchase_rate=0.25, session_conversion_rate=1 / 3,
            ),
            (OCT2,): dict(
                users=5, purchases=0, revenue=0, revenue_per_purchase=None, view_to_cart_rate=0.0,
                cart_to_purchase_rate=None, view_to_purchase_rate=0.0,
            ),
            (NOV1,): dict(users=4, buyers=1, revenue=100, view_to_purchase_rate=0.25, cart_to_purchase_rate=0.5),
        },
    ),
    "v_hourly_event_share": (
        ("event_date", "event_hour", "event_type"),
        {
            (OCT1, 8, "view"): dict(event_count=6, unique_users=5, hour_event_count=8, share_of_hour=0.75),
            (OCT1, 8, "cart"): dict(event_count=2, hour_event_count=8, share_of_hour=0.25),
            (OCT1, 9, "purchase"): dict(event_count=2, hour_event_count=8, share_of_hour=0.25),
            (OCT2, 8, "view"): dict(event_count=5, hour_event_count=5, share_of_hour=1.0),
            (NOV1, 10, "purchase"): dict(event_count=1, hour_event_count=7, share_of_hour=1 / 7),
        },
    ),
    "v_peak_hours": (
        ("event_hour",),
        {
            (8,): dict(
                days=3, events=13, views=11, carts=2, purchases=0, avg_events_per_day=13 / 3,
                share_of_events=13 / 28, purchases_per_view=0.0, traffic_rank=1, purchase_rank=3,
            ),
            (9,): dict(events=8, views=4, carts=2, purchases=2, purchases_per_view=0.5, traffic_rank=2, purchase_rank=1),
            (10,): dict(events=7, purchases=1, traffic_rank=3, purchase_rank=2, share_of_events=0.25),
        },
    ),
    "v_category_brand_ranking": (
        ("event_month", "dimension", "segment"),
        {
            (OCT, "category", "electronics"): dict(
                viewers=7, carters=3, purchasers=2, revenue=25.5, view_to_cart_rate=3 / 7,
                cart_to_purchase_rate=2 / 3, view_to_purchase_rate=2 / 7, revenue_share=1.0, revenue_rank=1,
                conversion_rank=1,
            ),
            (OCT, "category", "unknown"): dict(
                view_to_purchase_rate=0.0, revenue_share=0.0, revenue_rank=2, conversion_rank=2
            ),
            (OCT, "brand", "acme"): dict(viewers=7, revenue_rank=1, conversion_rank=1, view_to_purchase_rate=2 / 7),
            (OCT, "brand", "unknown"): dict(viewers=3, revenue_rank=2, cart_to_purchase_rate=0.0),
            (NOV, "category", "appliances"): dict(revenue=100, revenue_share=1.0, revenue_rank=1),
            (NOV, "brand", "zeta"): dict(viewers=4, purchasers=1, view_to_purchase_rate=0.25, revenue_rank=1),
        },
    ),
    "v_category_brand_daily": (
        ("event_date", "category_code", "brand"),
        {
            (OCT1, "electronics.phone", "acme"): dict(
                category_l1="electronics", views=6, carts=3, purchases=2, unique_users=5, revenue=25.5,
                carts_per_view=0.5, purchases_per_view=1 / 3,
            ),
            (OCT1, "unknown", "unknown"): dict(views=4, carts_per_view=0.25, purchases_per_view=0.0),
            (OCT2, "electronics.phone", "acme"): dict(views=5, purchases=0, revenue=0),
            (NOV1, "appliances.kitchen", "zeta"): dict(revenue=100, purchases_per_view=0.25),
        },
    ),
    "v_product_conversion": (
        ("event_month", "product_id"),
        {
            (OCT, 1): dict(
                views=11, carts=4, purchases=2, viewers=10, carters=4, purchasers=2, revenue=25.5,
                view_to_cart_rate=0.4, cart_to_purchase_rate=0.5, view_to_purchase_rate=0.2, revenue_rank=1,
            ),
            (OCT, 3): dict(view_to_cart_rate=0.0, cart_to_purchase_rate=None, revenue_rank=2),
            (NOV, 2): dict(revenue=100, view_to_purchase_rate=0.25, revenue_rank=1),
        },
    ),
    "v_session_kpis": (
        ("session_date",),
        {
            (OCT1,): dict(
                sessions=3, users=2, events=8, total_duration_seconds=1800, avg_duration_seconds=600,
                events_per_session=8 / 3, bounce_sessions=1, bounce_rate=1 / 3, purchase_sessions=1,
                session_conversion_rate=1 / 3, revenue=10.5,
            ),
            (OCT2,): dict(sessions=1, events_per_session=1.0, bounce_rate=1.0, session_conversion_rate=0.0),
            (NOV1,): dict(sessions=1, avg_duration_seconds=300, bounce_sessions=0, revenue=100),
        },
    ),
    "v_session_dropoff": (
        ("session_date", "furthest_stage"),
        {
            (OCT1, "view"): dict(stage_order=1, sessions=1, bounce_sessions=1, share_of_sessions=1 / 3),
            (OCT1, "cart"): dict(stage_order=2, sessions=1, bounce_sessions=0, share_of_sessions=1 / 3),
            (OCT1, "purchase"): dict(stage_order=3, sessions=1, share_of_sessions=1 / 3),
            (OCT2, "view"): dict(sessions=1, share_of_sessions=1.0),
            (NOV1, "purchase"): dict(sessions=1, share_of_sessions=1.0),
        },
    ),
    "v_data_quality": (
        ("batch_id", "outcome", "reason"),
        {
            ("2019-10", "valid", ""): dict(row_count=90, batch_rows=100, share_of_batch=0.9, checked_at=CHECKED_AT),
            ("2019-10", "quarantined", "bad_price"): dict(row_count=3, share_of_batch=0.03),
            ("2019-11", "duplicate", ""): dict(row_count=0, batch_rows=50, share_of_batch=0.0),
        },
    ),
    "v_data_quality_batches": (
        ("batch_id",),
        {
            ("2019-10",): dict(
                input_rows=100, valid_rows=90, duplicate_rows=5, quarantined_rows=5, duplicate_rate=0.05,
                quarantine_rate=0.05, checked_at=CHECKED_AT,
            ),
            ("2019-11",): dict(input_rows=50, valid_rows=50, duplicate_rows=0, quarantine_rate=0.0),
        },
    ),
}

# fmt: on

# Rows each view has with both months loaded (checks nothing is doubled or missing).
EXPECTED_VIEW_ROWS = {
    "v_daily_kpis": 3,
    "v_hourly_event_share": 9,
    "v_peak_hours": 3,
    "v_category_brand_ranking": 6,
    "v_category_brand_daily": 4,
    "v_product_conversion": 3,
    "v_session_kpis": 3,
    "v_session_dropoff": 5,
    "v_data_quality": 6,
    "v_data_quality_batches": 2,
}


def normalise(value):
    """Engine-neutral comparison value: numbers as float, dates/timestamps as themselves."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc)
    return value


def assert_view_rows(view: str, fetched: list[dict]) -> None:
    """Compare a view's rows (dicts) with EXPECTED_VIEWS, approximately for floats."""
    import pytest

    keys, expected = EXPECTED_VIEWS[view]
    assert len(fetched) == EXPECTED_VIEW_ROWS[view], f"{view}: {len(fetched)} rows"
    by_key = {tuple(row[k] for k in keys): row for row in fetched}
    for key, columns in expected.items():
        assert key in by_key, f"{view}: no row for {key}; rows: {sorted(by_key)}"
        row = by_key[key]
        for column, value in columns.items():
            actual = normalise(row[column])
            if value is None or isinstance(value, dt.date | str):
                assert actual == value, f"{view} {key} {column}: {actual!r} != {value!r}"
            else:
                assert actual == pytest.approx(float(value), rel=1e-9), f"{view} {key} {column}: {actual!r}"
