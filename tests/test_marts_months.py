"""`marts --month` with the journey marts: the windows and sessions reach into the neighbouring months."""

from __future__ import annotations

from datetime import date

import pytest
from pyspark.sql import functions as F
from test_pipeline import line, write_csv

from spark_jobs import contract
from spark_jobs.jobs import build_marts, clean_batch, kept_ranges, margin_days
from spark_jobs.lake import Lake
from spark_jobs.marts import MartOptions


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"))


def _stored(spark, lake, table, where: str):
    return spark.read.parquet(lake.table_path(table)).where(where).collect()


def test_a_month_loaded_later_updates_the_previous_months_last_day(spark, tmp_path, lake):
    october = [line(event_time="2019-10-31 23:00:00 UTC", user_id="5", event_type="view")]
    november = [line(event_time="2019-11-01 00:30:00 UTC", user_id="5", event_type="cart")]
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv", october)], lake)
    build_marts(spark, lake, ["2019-10"])
    before = _stored(spark, lake, contract.FUNNEL_ORDERED_DAILY, "entry_date = '2019-10-31'")
    assert [(r.entrants, r.reached_cart) for r in before] == [(1, 0)]
    clean_batch(spark, [write_csv(tmp_path / "2019-Nov.csv", november)], lake)
    build_marts(spark, lake, ["2019-11"])
    after = _stored(spark, lake, contract.FUNNEL_ORDERED_DAILY, "entry_date = '2019-10-31'")
    assert [(r.entrants, r.reached_cart, r.median_seconds_to_cart) for r in after] == [(1, 1, 5400)]
    carts = spark.read.parquet(lake.table_path(contract.CART_ABANDONMENT_DAILY)).collect()
    assert [(str(r.cart_date), r.carts) for r in carts] == [("2019-11-01", 1)]


def test_a_month_recomputed_alone_numbers_sessions_like_a_full_rebuild(spark, tmp_path, lake):
    lines = [
        line(event_time="2019-10-01 10:00:00 UTC", user_session="long"),
        line(event_time="2019-10-20 10:00:00 UTC", user_session="long"),
        line(event_time="2019-11-20 10:00:00 UTC", user_session="long", event_type="cart"),
    ]
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv", lines)], lake)
    build_marts(spark, lake)
    full = sorted((r.session_id, r.session_index) for r in _stored(spark, lake, contract.SESSIONS, "true"))
    assert full == [("long", 1), ("long#2", 2), ("long#3", 3)]
    build_marts(spark, lake, ["2019-11"])
    again = sorted((r.session_id, r.session_index) for r in _stored(spark, lake, contract.SESSIONS, "true"))
    assert again == full
    paths = _stored(spark, lake, contract.SESSION_PATHS_MONTHLY, "true")
    assert sorted((str(r.session_month), r.path, r.sessions) for r in paths) == [
        ("2019-10-01", "view", 2),
        ("2019-11-01", "cart", 1),
    ]


def test_each_mart_reads_the_margin_its_contract_names():
    options = MartOptions(session_gap_minutes=30, funnel_window_hours=36)
    assert margin_days(contract.FUNNEL_DAILY, options) == 0
    assert margin_days(contract.SESSIONS, options) == 1
    assert margin_days(contract.SESSION_PATHS_MONTHLY, MartOptions(session_gap_minutes=3000)) == 3
    assert margin_days(contract.FUNNEL_ORDERED_DAILY, options) == 2
    assert kept_ranges(contract.CART_ABANDONMENT_DAILY, ["2019-11"], options) == [
        (date(2019, 10, 30), date(2019, 12, 1))
    ]
    assert kept_ranges(contract.SESSIONS, ["2019-11"], options) == [(date(2019, 11, 1), date(2019, 12, 1))]


def test_the_cli_passes_the_gap_and_the_window_to_the_marts(spark, tmp_path, lake):
    from spark_jobs.cli import main

    lines = [
        line(event_time="2019-10-01 10:00:00 UTC", user_session="s"),
        line(event_time="2019-10-01 10:20:00 UTC", user_session="s"),
    ]
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv", lines)], lake)
    argv = ["marts", "--lake", lake.root, "--session-gap-minutes", "10", "--funnel-window-hours", "2"]
    assert main(argv) == 0
    sessions = spark.read.parquet(lake.table_path(contract.SESSIONS))
    assert sessions.count() == 2
    ordered = spark.read.parquet(lake.table_path(contract.FUNNEL_ORDERED_DAILY))
    assert ordered.select(F.max("window_hours")).first()[0] == 2
    with pytest.raises(SystemExit):
        main(["marts", "--lake", lake.root, "--session-gap-minutes", "-1"])
