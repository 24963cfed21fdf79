"""The live view's mart: per minute and event type over the 48 hours ending with the newest event."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
from builders import event, events_frame, frame_of
from chispa import assert_df_equality

from spark_jobs import contract, marts
from spark_jobs.bench.duckdb_baseline import MART_SQL, conformed
from spark_jobs.jobs import build_marts
from spark_jobs.lake import Lake, write_partitioned
from spark_jobs.lake_read import read_table


def at(day_: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2019, 10, day_, hour, minute, second)


def row(minute: datetime, event_type: str, count: int, users: int, revenue: str, last: datetime, a5, a60):
    return {
        "event_minute": minute,
        "event_date": minute.date(),
        "event_type": event_type,
        "event_count": count,
        "unique_users": users,
        "revenue": Decimal(revenue),
        "last_event_time": last,
        "active_users_5m": a5,
        "active_users_60m": a60,
    }


def assert_live(spark, actual, expected_rows):
    expected = frame_of(spark, contract.LIVE_TRAFFIC, expected_rows)
    assert actual.columns == contract.LIVE_TRAFFIC.column_names
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


# user 1 views twice and buys in minute 10:00; user 2 views at 10:00 and again at 10:07; user 3 only at 10:03
MINUTES = [
    event(event_time=at(2, 10, 0, 5), user_id=1, event_type="view"),
    event(event_time=at(2, 10, 0, 40), user_id=1, event_type="view"),
    event(event_time=at(2, 10, 0, 59), user_id=1, event_type="purchase", price=Decimal("20.50")),
    event(event_time=at(2, 10, 0, 30), user_id=2, event_type="view"),
    event(event_time=at(2, 10, 3, 1), user_id=3, event_type="view"),
    event(event_time=at(2, 10, 7, 9), user_id=2, event_type="view"),
]


def test_each_minute_and_type_has_its_events_users_revenue_and_last_event_time(spark):
    actual = marts.live_traffic(events_frame(spark, MINUTES))
    assert_live(
        spark,
        actual,
        [
            row(at(2, 10, 0), "view", 3, 2, "0.00", at(2, 10, 0, 40), 2, 2),
            row(at(2, 10, 0), "purchase", 1, 1, "20.50", at(2, 10, 0, 59), 2, 2),
            # 10:03: users 1, 2 (10:00) and 3 are active in the 5 minutes 09:59-10:03
            row(at(2, 10, 3), "view", 1, 1, "0.00", at(2, 10, 3, 1), 3, 3),
            # 10:07: the 5 minutes 10:03-10:07 hold users 3 and 2; the hour holds all three
            row(at(2, 10, 7), "view", 1, 1, "0.00", at(2, 10, 7, 9), 2, 3),
        ],
    )


def test_the_window_is_the_2880_minutes_ending_with_the_newest_event_not_the_clock(spark):
    newest = at(3, 12, 4, 10)
    rows = [
        event(event_time=newest, user_id=1),
        event(event_time=newest - timedelta(minutes=2879), user_id=2),  # the window's first minute
        event(event_time=newest - timedelta(minutes=2880), user_id=3),  # one minute too old
    ]
    actual = marts.live_traffic(events_frame(spark, rows))
    kept = sorted((r.event_minute, r.active_users_60m) for r in actual.collect())
    # user 3 is outside the window but still active during the hour before its first minute
    assert kept == [(datetime(2019, 10, 1, 12, 5), 2), (datetime(2019, 10, 3, 12, 4), 1)]


def test_every_event_type_row_of_a_minute_carries_the_same_active_users(spark):
    rows = [
        event(event_time=at(2, 10, 0), user_id=1, event_type="view"),
        event(event_time=at(2, 10, 0), user_id=2, event_type="cart"),
        event(event_time=at(2, 9, 58), user_id=3, event_type="remove_from_cart"),
    ]
    actual = marts.live_traffic(events_frame(spark, rows)).where("event_minute = '2019-10-02 10:00:00'")
    assert sorted((r.event_type, r.unique_users, r.active_users_5m) for r in actual.collect()) == [
        ("cart", 1, 3),
        ("view", 1, 3),
    ]


def test_the_duckdb_baseline_states_the_same_mart(spark, tmp_path):
    rows = [
        *MINUTES,
        event(event_time=at(1, 23, 30), user_id=4),  # the day before, within the hour of 00:10 below
        event(event_time=at(2, 0, 10), user_id=4, event_type="cart"),
        event(event_time=at(2, 0, 10), user_id=5, event_type="cart"),
        event(event_time=at(3, 10, 6), user_id=6, event_type="purchase", price=Decimal("1.25")),
    ]
    events = events_frame(spark, rows)
    folder = str(tmp_path / "events")
    events.write.parquet(folder)
    spark_rows = sorted(tuple(r) for r in marts.live_traffic(events).collect())
    with duckdb.connect() as con:
        con.execute("SET TimeZone='UTC'")
        con.execute(f"CREATE TABLE events AS SELECT * FROM read_parquet('{folder}/*.parquet')")
        sql = conformed(MART_SQL["live_traffic"], contract.LIVE_TRAFFIC)
        duck_rows = con.execute(f"SELECT * FROM ({sql})").fetchall()
    normalised = sorted(
        tuple(v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in r) for r in duck_rows
    )
    assert normalised == spark_rows
    assert len(spark_rows) == 7


def _live_days(lake: Lake) -> list[str]:
    folder = lake.table_path(contract.LIVE_TRAFFIC)
    return sorted(name for name in os.listdir(folder) if name.startswith("event_date="))


def test_marts_keep_only_the_window_days_and_follow_the_newest_event_of_the_lake(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    october = [event(event_time=at(day_, 12, 0), user_id=day_) for day_ in range(1, 6)]
    write_partitioned(events_frame(spark, october), contract.EVENTS, lake)
    build_marts(spark, lake)
    # newest 10-05 12:00: the window starts 10-03 12:01, so the event of 10-03 12:00 is out
    assert _live_days(lake) == ["event_date=2019-10-04", "event_date=2019-10-05"]
    newer = [event(event_time=datetime(2019, 10, 9, 0, 30), user_id=9)]
    write_partitioned(events_frame(spark, newer), contract.EVENTS, lake)
    # only October 1 asked for: the live window still follows the lake's newest event (October 9)
    build_marts(spark, lake, ["2019-10"])
    assert _live_days(lake) == ["event_date=2019-10-09"]
    stored = read_table(spark, lake, contract.LIVE_TRAFFIC)  # the contract's types on both engines
    assert [(r.event_minute, r.event_date) for r in stored.collect()] == [
        (datetime(2019, 10, 9, 0, 30), date(2019, 10, 9))
    ]
