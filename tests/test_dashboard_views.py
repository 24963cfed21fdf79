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
from warehouse_lake import EVENT_TYPE_BY_HOUR, OCT1, OCT2, SESSIONS, build_lake

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


def test_kpis_give_the_period_value_of_every_metric(october):
    """Users: 1 viewed and carted (s1, s2), 2 viewed, carted and bought (s3), 3 only viewed (s4)."""
    rows = october("SELECT metric, kind, period_value FROM {v_dash_kpis} ORDER BY metric_order")
    assert rows == approx_rows(
        [
            dict(metric="users", kind="count", period_value=3.0),
            dict(metric="sessions", kind="count", period_value=4.0),
            dict(metric="purchases", kind="count", period_value=1.0),
            dict(metric="revenue", kind="money", period_value=10.5),
            dict(metric="session_conversion_rate", kind="rate", period_value=1 / 4),
            dict(metric="view_to_cart_rate", kind="rate", period_value=2 / 3),  # viewers who carted / viewers
            dict(
                metric="cart_to_purchase_rate", kind="rate", period_value=1 / 2
            ),  # carters who bought / carters
            dict(metric="view_to_purchase_rate", kind="rate", period_value=1 / 3),
            dict(metric="cart_removal_rate", kind="rate", period_value=0.0),
            dict(metric="bounce_rate", kind="rate", period_value=0.5),
            dict(metric="avg_session_seconds", kind="seconds", period_value=450.0),
            dict(metric="events_per_session", kind="number", period_value=9 / 4),
        ]
    )


def test_kpis_compare_no_day_when_no_day_is_complete(october):
    """October's hand-made hours are 08-09 on Oct 1 and 08 on Oct 2: two partial days."""
    rows = october("SELECT * FROM {v_dash_kpis}")
    assert {(r["first_day"], r["last_day"], r["previous_day"]) for r in rows} == {(OCT1, None, None)}
    assert {(r["last_day_value"], r["previous_day_value"], r["change_vs_previous_day"]) for r in rows} == {
        (None, None, None)
    }


def complete_days_lake(root, days):
    """October with events in hours 00 and 23 of `days` too (those days are complete)."""
    extra = [
        dict(event_date=day, event_hour=hour, event_type="view", event_count=1, unique_users=1)
        for day in days
        for hour in (0, 23)
    ]
    return build_lake(root, months={"2019-10"}, replaced={"event_type_by_hour": EVENT_TYPE_BY_HOUR + extra})


def fetch_local(lake, root, view: str) -> list[dict]:
    warehouse = root / "warehouse.duckdb"
    load_duckdb(lake=lake, warehouse=str(warehouse))
    return fetch(warehouse, f"SELECT * FROM {view}")


def test_kpis_compare_the_last_complete_day_with_the_complete_day_before(tmp_path):
    lake = complete_days_lake(tmp_path / "lake", [OCT1, OCT2])
    rows = {row["metric"]: row for row in fetch_local(lake, tmp_path, "v_dash_kpis ORDER BY metric_order")}
    assert {(r["last_day"], r["previous_day"]) for r in rows.values()} == {(OCT2, OCT1)}
    assert isinstance(rows["users"]["previous_day"], dt.date) and not isinstance(
        rows["users"]["previous_day"], dt.datetime
    )
    values = {metric: (row["last_day_value"], row["previous_day_value"]) for metric, row in rows.items()}
    assert values == {
        "users": (1.0, 2.0),
        "sessions": (1.0, 3.0),
        "purchases": (0.0, 1.0),
        "revenue": (0.0, 10.5),
        "session_conversion_rate": (0.0, pytest.approx(1 / 3)),
        "view_to_cart_rate": (0.0, 1.0),
        "cart_to_purchase_rate": (None, 0.5),  # nobody carted on Oct 2: 0 / 0 is NULL, not 0
        "view_to_purchase_rate": (0.0, 0.5),
        "cart_removal_rate": (None, 0.0),
        "bounce_rate": (1.0, pytest.approx(1 / 3)),
        "avg_session_seconds": (0.0, 600.0),
        "events_per_session": (1.0, pytest.approx(8 / 3)),
    }
    assert rows["sessions"]["change_vs_previous_day"] == -2
    assert rows["sessions"]["relative_change_vs_previous_day"] == pytest.approx(-2 / 3)
    assert rows["bounce_rate"]["change_vs_previous_day"] == pytest.approx(2 / 3)
    assert rows["cart_to_purchase_rate"]["change_vs_previous_day"] is None


def test_a_partial_last_day_is_not_compared_and_the_coverage_says_so(tmp_path):
    """Oct 1 complete, Oct 2 partial: the last complete day has no complete day before it."""
    lake = complete_days_lake(tmp_path / "lake", [OCT1])
    (coverage,) = fetch_local(lake, tmp_path, "v_dash_coverage")
    assert (coverage["complete_days"], coverage["last_complete_day"], coverage["last_day"]) == (1, OCT1, OCT2)
    assert (coverage["previous_complete_day"], coverage["last_day_is_complete"]) == (None, False)
    rows = fetch(tmp_path / "warehouse.duckdb", "SELECT * FROM v_dash_kpis")
    assert {(r["last_day"], r["last_day_value"]) for r in rows} == {(None, None)}


def test_coverage_gives_the_first_and_last_event_and_the_hours_with_events(october):
    (row,) = october("SELECT * FROM {v_dash_coverage}")
    assert row["first_event_time"] == dt.datetime(2019, 10, 1, 8, tzinfo=dt.timezone.utc)
    assert row["last_event_time"] == dt.datetime(2019, 10, 2, 8, tzinfo=dt.timezone.utc)
    assert (row["first_day"], row["last_day"], row["days_with_events"], row["hours_with_events"]) == (
        OCT1,
        OCT2,
        2,
        3,
    )
    assert (row["complete_days"], row["last_complete_day"], row["last_day_is_complete"]) == (0, None, False)


def test_funnel_counts_users_and_sessions_that_got_at_least_that_far(october):
    rows = october(
        "SELECT unit, stage, stage_order, reached, share_of_entry, step_rate, drop_off_rate FROM {v_dash_funnel} "
        "ORDER BY unit DESC, stage_order",
    )
    assert rows == approx_rows(
        [
            dict(
                unit="users",
                stage="any event",
                stage_order=1,
                reached=3,
                share_of_entry=1.0,
                step_rate=None,
                drop_off_rate=None,
            ),
            dict(
                unit="users",
                stage="cart or later",
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
                stage="any event",
                stage_order=1,
                reached=4,
                share_of_entry=1.0,
                step_rate=None,
                drop_off_rate=None,
            ),
            dict(
                unit="sessions",
                stage="cart or later",
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
            dict(
                measure="furthest_stage",
                bucket_order=1,
                bucket="no cart or purchase",
                sessions=2,
                share_of_sessions=0.5,
            ),
            dict(
                measure="furthest_stage",
                bucket_order=2,
                bucket="cart, no purchase",
                sessions=1,
                share_of_sessions=0.25,
            ),
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


def test_funnel_counts_removals_in_each_stage(tmp_path):
    """s1 (cart) removed an item: it is in 'any event' and 'cart or later', not in 'purchase'."""
    sessions = [
        dict(row, remove_from_cart_count=1) if row["user_session"] == "s1" else row for row in SESSIONS
    ]
    lake = build_lake(tmp_path / "lake", months={"2019-10"}, replaced={"sessions": sessions})
    rows = fetch_local(lake, tmp_path, "v_dash_funnel WHERE unit = 'sessions' ORDER BY stage_order")
    assert [(row["stage"], row["removed"], row["removal_rate"]) for row in rows] == [
        ("any event", 1, 0.25),
        ("cart or later", 1, 0.5),
        ("purchase", 0, 0.0),
    ]


def test_hourly_traffic_averages_each_hour_over_the_days_that_cover_it(october):
    """Oct 1 covers 08-09, Oct 2 only 08: hour 9's average is Oct 1's figure, not half of it."""
    rows = october(
        "SELECT event_hour, event_type, events, days_covered, avg_events_per_day FROM {v_dash_hourly_traffic} "
        "ORDER BY event_hour, event_type",
    )
    assert rows == approx_rows(
        [
            dict(event_hour=8, event_type="cart", events=2, days_covered=2, avg_events_per_day=1.0),
            dict(event_hour=8, event_type="purchase", events=0, days_covered=2, avg_events_per_day=0.0),
            dict(event_hour=8, event_type="view", events=11, days_covered=2, avg_events_per_day=5.5),
            dict(event_hour=9, event_type="cart", events=2, days_covered=1, avg_events_per_day=2.0),
            dict(event_hour=9, event_type="purchase", events=2, days_covered=1, avg_events_per_day=2.0),
            dict(event_hour=9, event_type="view", events=4, days_covered=1, avg_events_per_day=4.0),
        ]
    )


def test_hours_rank_by_events_per_covered_day_and_count_the_hours_covered(october):
    rows = october(
        "SELECT event_hour, days_covered, events, avg_events_per_day, share_of_events, traffic_rank, "
        "hours_of_day_covered FROM {v_dash_hours} ORDER BY event_hour"
    )
    assert rows == approx_rows(
        [
            dict(event_hour=8, days_covered=2, events=13, avg_events_per_day=6.5, share_of_events=13 / 21,
                 traffic_rank=2, hours_of_day_covered=2),
            dict(event_hour=9, days_covered=1, events=8, avg_events_per_day=8.0, share_of_events=8 / 21,
                 traffic_rank=1, hours_of_day_covered=2),
        ]
    )  # fmt: skip


def test_covered_hours_have_zero_rows_between_a_days_first_and_last_event(tmp_path):
    """Nov 1 has events at 10 and 12: hour 11 is a covered hour without events."""
    warehouse = tmp_path / "warehouse.duckdb"
    load_duckdb(lake=build_lake(tmp_path / "lake", months={"2019-11"}), warehouse=str(warehouse))
    rows = fetch(warehouse, "SELECT event_hour, events, removals FROM v_covered_hours ORDER BY event_hour")
    assert rows == [
        dict(event_hour=10, events=7, removals=0),
        dict(event_hour=11, events=0, removals=0),
        dict(event_hour=12, events=1, removals=1),
    ]
