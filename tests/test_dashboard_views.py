"""The dashboard's own views (bigquery/views/v_dash_*.sql) give exact numbers, in DuckDB and in BigQuery.

Each expectation runs on the DuckDB warehouse (the loader transpiles the views) and on the BigQuery
emulator (the loader creates them as written), both loaded with October of the hand-made lake: sessions
s1-s3 start on 2019-10-01 and s4 on 2019-10-02 (tests/warehouse_lake.py), so the last day is Oct 2 and
the previous day Oct 1:
  s1 user 1, 600 s, 3 events, furthest cart        s2 user 1, 0 s, 1 event, view
  s3 user 2, 1200 s, 4 events, purchase (10.50)    s4 user 3, 0 s, 1 event, view (Oct 2)
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from google.api_core.retry import Retry
from warehouse_lake import OCT1, OCT2, build_lake

from spark_jobs.warehouse.bigquery_loader import load_bigquery
from spark_jobs.warehouse.duckdb_loader import load_duckdb

BIGQUERY_TIMEOUT = 60.0  # a failing emulator call must not retry for 10 minutes


def fetch(path, statement: str) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(statement)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module", params=["duckdb", pytest.param("bigquery", marks=pytest.mark.integration)])
def october(request, tmp_path_factory):
    """query(statement) on a warehouse holding October; statements name views as {v_name}."""
    root = tmp_path_factory.mktemp(f"dash_views_{request.param}")
    lake = build_lake(root / "lake", months={"2019-10"})
    if request.param == "duckdb":
        warehouse = root / "warehouse.duckdb"
        load_duckdb(lake=lake, warehouse=str(warehouse))
        return lambda statement: fetch(warehouse, statement.replace("{", "").replace("}", ""))
    client = request.getfixturevalue("bigquery_client")
    dataset = "dashboard_views"
    load_bigquery(lake=lake, project=client.project, dataset=dataset, client=client, timeout=BIGQUERY_TIMEOUT)

    def query(statement: str) -> list[dict]:
        rendered = statement.replace("{", f"`{client.project}.{dataset}.").replace("}", "`")
        job = client.query(rendered, timeout=BIGQUERY_TIMEOUT, retry=Retry(timeout=BIGQUERY_TIMEOUT))
        return [dict(row.items()) for row in job.result(timeout=BIGQUERY_TIMEOUT)]

    return query


def approx_rows(rows: list[dict]) -> list[dict]:
    return [{k: pytest.approx(v) if isinstance(v, float) else v for k, v in row.items()} for row in rows]


def test_kpis_give_the_period_the_last_day_and_the_day_before_for_every_metric(october):
    rows = october(
        "SELECT metric, kind, period_value, last_day_value, previous_day_value FROM {v_dash_kpis} "
        "ORDER BY metric_order",
    )
    assert rows == approx_rows(
        [
            dict(metric="users", kind="count", period_value=3.0, last_day_value=1.0, previous_day_value=2.0),
            dict(
                metric="sessions", kind="count", period_value=4.0, last_day_value=1.0, previous_day_value=3.0
            ),
            dict(
                metric="purchases", kind="count", period_value=1.0, last_day_value=0.0, previous_day_value=1.0
            ),
            dict(
                metric="revenue", kind="money", period_value=10.5, last_day_value=0.0, previous_day_value=10.5
            ),
            dict(
                metric="session_conversion_rate",
                kind="rate",
                period_value=1 / 4,
                last_day_value=0.0,
                previous_day_value=1 / 3,
            ),
            dict(
                metric="view_to_cart_rate",
                kind="rate",
                period_value=2 / 3,
                last_day_value=0.0,
                previous_day_value=1.0,
            ),
            # nobody reached the cart on Oct 2: 0 / 0 is NULL, not 0
            dict(
                metric="cart_to_purchase_rate",
                kind="rate",
                period_value=0.5,
                last_day_value=None,
                previous_day_value=0.5,
            ),
            dict(
                metric="bounce_rate",
                kind="rate",
                period_value=0.5,
                last_day_value=1.0,
                previous_day_value=1 / 3,
            ),
            dict(
                metric="avg_session_seconds",
                kind="seconds",
                period_value=450.0,
                last_day_value=0.0,
                previous_day_value=600.0,
            ),
            dict(
                metric="events_per_session",
                kind="number",
                period_value=9 / 4,
                last_day_value=1.0,
                previous_day_value=8 / 3,
            ),
        ]
    )


def test_kpis_name_the_days_and_compare_the_last_day_with_the_previous_one(october):
    rows = {row["metric"]: row for row in october("SELECT * FROM {v_dash_kpis}")}
    assert {(r["first_day"], r["last_day"], r["previous_day"]) for r in rows.values()} == {(OCT1, OCT2, OCT1)}
    assert isinstance(rows["users"]["previous_day"], dt.date) and not isinstance(
        rows["users"]["previous_day"], dt.datetime
    )
    assert rows["sessions"]["change_vs_previous_day"] == -2
    assert rows["sessions"]["relative_change_vs_previous_day"] == pytest.approx(-2 / 3)
    assert rows["bounce_rate"]["change_vs_previous_day"] == pytest.approx(2 / 3)
    assert rows["revenue"]["relative_change_vs_previous_day"] == pytest.approx(-1.0)
    assert rows["cart_to_purchase_rate"]["change_vs_previous_day"] is None


def test_kpis_without_sessions_on_the_previous_day_leave_it_empty(tmp_path):
    """With November loaded too, the last day is Nov 1 and Oct 31 had no session."""
    warehouse = tmp_path / "warehouse.duckdb"
    load_duckdb(lake=build_lake(tmp_path / "lake"), warehouse=str(warehouse))
    rows = {row["metric"]: row for row in fetch(warehouse, "SELECT * FROM v_dash_kpis")}
    users = rows["users"]
    assert (users["last_day"], users["previous_day"]) == (dt.date(2019, 11, 1), dt.date(2019, 10, 31))
    assert (users["period_value"], users["last_day_value"], users["previous_day_value"]) == (3.0, 1.0, None)
    assert users["relative_change_vs_previous_day"] is None


def test_funnel_counts_users_and_sessions_that_got_at_least_that_far(october):
    rows = october(
        "SELECT unit, stage, stage_order, reached, share_of_entry, step_rate, drop_off_rate FROM {v_dash_funnel} "
        "ORDER BY unit DESC, stage_order",
    )
    assert rows == approx_rows(
        [
            dict(
                unit="users",
                stage="view",
                stage_order=1,
                reached=3,
                share_of_entry=1.0,
                step_rate=None,
                drop_off_rate=None,
            ),
            dict(
                unit="users",
                stage="cart",
                stage_order=2,
                reached=2,
                share_of_entry=2 / 3,
                step_rate=2 / 3,
                drop_off_rate=1 / 3,
            ),
            dict(
                unit="users",
                stage="purchase",
                stage_order=3,
                reached=1,
                share_of_entry=1 / 3,
                step_rate=0.5,
                drop_off_rate=0.5,
            ),
            dict(
                unit="sessions",
                stage="view",
                stage_order=1,
                reached=4,
                share_of_entry=1.0,
                step_rate=None,
                drop_off_rate=None,
            ),
            dict(
                unit="sessions",
                stage="cart",
                stage_order=2,
                reached=2,
                share_of_entry=0.5,
                step_rate=0.5,
                drop_off_rate=0.5,
            ),
            dict(
                unit="sessions",
                stage="purchase",
                stage_order=3,
                reached=1,
                share_of_entry=0.25,
                step_rate=0.5,
                drop_off_rate=0.5,
            ),
        ]
    )


def test_session_breakdown_buckets_duration_event_count_and_furthest_stage(october):
    rows = october(
        "SELECT measure, bucket_order, bucket, sessions, share_of_sessions FROM {v_dash_session_breakdown} "
        "ORDER BY measure, bucket_order",
    )
    assert rows == approx_rows(
        [
            dict(measure="duration", bucket_order=1, bucket="0 s", sessions=2, share_of_sessions=0.5),
            dict(measure="duration", bucket_order=7, bucket="10-30 min", sessions=2, share_of_sessions=0.5),
            dict(measure="events", bucket_order=1, bucket="1", sessions=2, share_of_sessions=0.5),
            dict(measure="events", bucket_order=3, bucket="3", sessions=1, share_of_sessions=0.25),
            dict(measure="events", bucket_order=4, bucket="4", sessions=1, share_of_sessions=0.25),
            dict(measure="furthest_stage", bucket_order=1, bucket="view", sessions=2, share_of_sessions=0.5),
            dict(measure="furthest_stage", bucket_order=2, bucket="cart", sessions=1, share_of_sessions=0.25),
            dict(
                measure="furthest_stage",
                bucket_order=3,
                bucket="purchase",
                sessions=1,
                share_of_sessions=0.25,
            ),
        ]
    )


def test_event_mix_shares_add_up_over_the_whole_period(october):
    rows = october("SELECT event_type, events, share_of_events FROM {v_dash_event_mix} ORDER BY events DESC")
    assert rows == approx_rows(
        [
            dict(event_type="view", events=15, share_of_events=15 / 21),
            dict(event_type="cart", events=4, share_of_events=4 / 21),
            dict(event_type="purchase", events=2, share_of_events=2 / 21),
        ]
    )


def test_hourly_traffic_adds_up_the_days_per_hour_and_type(october):
    rows = october(
        "SELECT event_hour, event_type, events, avg_events_per_day FROM {v_dash_hourly_traffic} "
        "ORDER BY event_hour, event_type",
    )
    assert rows == approx_rows(
        [
            dict(event_hour=8, event_type="cart", events=2, avg_events_per_day=1.0),
            dict(event_hour=8, event_type="view", events=11, avg_events_per_day=5.5),
            dict(event_hour=9, event_type="cart", events=2, avg_events_per_day=1.0),
            dict(event_hour=9, event_type="purchase", events=2, avg_events_per_day=1.0),
            dict(event_hour=9, event_type="view", events=4, avg_events_per_day=2.0),
        ]
    )
