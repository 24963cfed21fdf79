"""Day loads (`load --day`) and the live view (v_live_last_hour), in DuckDB and on the BigQuery emulator.

The lake is tests/warehouse_lake.py's (Oct 1-2, Nov 1) with its live window replaced: minutes
Nov 1 09:00, 09:59, 10:00 and 10:01 (newest event 10:01:42), and the hour Oct 25 10:00 in the hourly
mart, a week before the live hour.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import duckdb
import pytest
from google.api_core.retry import Retry
from warehouse_lake import EVENT_TYPE_BY_HOUR, NOV1, build_lake, rows, write_table

from spark_jobs import contract
from spark_jobs.cli import main
from spark_jobs.errors import UserError
from spark_jobs.warehouse.bigquery_loader import load_bigquery
from spark_jobs.warehouse.duckdb_loader import load_duckdb
from spark_jobs.warehouse.plan import plan_load

TIMEOUT = 60.0
UTC = dt.timezone.utc
OCT25 = dt.date(2019, 10, 25)


def ts(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


LIVE = rows(
    "event_minute event_date event_type event_count unique_users revenue last_event_time active_users_5m "
    "active_users_60m",
    (ts(NOV1, 9, 0), NOV1, "view", 9, 9, Decimal("0.00"), ts(NOV1, 9, 0, 50), 9, 9),  # over an hour old
    (ts(NOV1, 9, 59), NOV1, "view", 2, 2, Decimal("0.00"), ts(NOV1, 9, 59, 30), 2, 9),
    (ts(NOV1, 10, 0), NOV1, "view", 3, 2, Decimal("0.00"), ts(NOV1, 10, 0, 20), 3, 10),
    (ts(NOV1, 10, 0), NOV1, "cart", 1, 1, Decimal("0.00"), ts(NOV1, 10, 0, 30), 3, 10),
    (ts(NOV1, 10, 1), NOV1, "purchase", 1, 1, Decimal("42.00"), ts(NOV1, 10, 1, 42), 1, 10),
)


def live_lake(root):
    lake = build_lake(root)
    shutil.rmtree(lake.table_path(contract.LIVE_TRAFFIC))
    write_table(lake, contract.LIVE_TRAFFIC, LIVE)
    week_ago = rows(
        "event_date event_hour event_type event_count unique_users",
        (OCT25, 10, "view", 120, 50),
        (OCT25, 10, "cart", 60, 20),
    )
    write_table(lake, contract.EVENT_TYPE_BY_HOUR, [*EVENT_TYPE_BY_HOUR, *week_ago])
    return lake


def duck(path, statement: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone='UTC'")
        return con.execute(statement).fetchall()


EXPECTED_LAST_HOUR = [
    # minute, as_of, events, views, carts, purchases, revenue, active 5 / 60, week ago events / carts / purchases
    (ts(NOV1, 9, 59), ts(NOV1, 10, 1, 42), 2, 2, 0, 0, 0.0, 2, 9, None, None, None),
    (ts(NOV1, 10, 0), ts(NOV1, 10, 1, 42), 4, 3, 1, 0, 0.0, 3, 10, 3.0, 1.0, 0.0),
    (ts(NOV1, 10, 1), ts(NOV1, 10, 1, 42), 1, 0, 0, 1, 42.0, 1, 10, 3.0, 1.0, 0.0),
]
LAST_HOUR_SQL = (
    "SELECT event_minute, as_of, events, views, carts, purchases, revenue, active_users_5m, active_users_60m, "
    "week_ago_events_per_minute, week_ago_carts_per_minute, week_ago_purchases_per_minute "
    "FROM {v_live_last_hour} ORDER BY event_minute"
)


def comparable(row) -> tuple:
    return tuple(
        v.astimezone(UTC)
        if isinstance(v, dt.datetime)
        else float(v)
        if isinstance(v, Decimal | int) and not isinstance(v, bool)
        else v
        for v in row
    )


def test_the_last_hour_view_gives_minutes_active_users_and_the_hour_a_week_earlier(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    load_duckdb(lake=live_lake(tmp_path / "lake"), warehouse=str(warehouse))
    fetched = duck(warehouse, LAST_HOUR_SQL.replace("{", "").replace("}", ""))
    assert [comparable(row) for row in fetched] == [comparable(row) for row in EXPECTED_LAST_HOUR]


def test_a_day_plan_takes_the_days_their_months_and_the_whole_live_window(tmp_path):
    plan = plan_load(live_lake(tmp_path / "lake"), days=["2019-10-02"])
    by_name = {tp.table.name: tp for tp in plan.tables}
    assert by_name["events"].replace_predicate() == "event_date IN (DATE '2019-10-02')"
    assert by_name["events"].expected_rows() == {"2019-10-02": 1}
    assert by_name["sessions"].expected_rows() == {"2019-10-02": 1}
    assert by_name["funnel_by_brand"].replace_predicate() == (
        "(event_month >= DATE '2019-10-01' AND event_month < DATE '2019-11-01')"
    )
    assert by_name["data_quality"].replace_predicate() == "FALSE"  # no batch named after the day
    assert by_name["live_traffic"].replace_predicate() == "TRUE"
    assert by_name["live_traffic"].expected_rows() == {"2019-11-01": 5}


def test_a_day_the_lake_does_not_hold_is_refused_before_any_change(tmp_path):
    with pytest.raises(UserError, match=r"lake table events has no partitions for 2019-10-09"):
        plan_load(live_lake(tmp_path / "lake"), days=["2019-10-09"])
    with pytest.raises(UserError, match="not both"):
        plan_load(live_lake(tmp_path / "lake2"), months=["2019-10"], days=["2019-10-01"])


def count_by_day(warehouse, table: str, column: str = "event_date") -> dict[str, int]:
    found = duck(warehouse, f"SELECT CAST({column} AS VARCHAR), COUNT(*) FROM {table} GROUP BY 1 ORDER BY 1")
    return dict(found)


def test_a_day_load_replaces_that_day_only_and_the_live_window_whole(tmp_path):
    lake = live_lake(tmp_path / "lake")
    warehouse = tmp_path / "w.duckdb"
    load_duckdb(lake=lake, warehouse=str(warehouse))
    # the day is rebuilt with one more event; the live window moved on to Nov 2 only
    write_table(lake, contract.EVENTS, _events_on("2019-10-02") * 2)
    shutil.rmtree(lake.table_path(contract.LIVE_TRAFFIC))
    nov2 = dt.date(2019, 11, 2)
    write_table(lake, contract.LIVE_TRAFFIC, [dict(LIVE[-1], event_minute=ts(nov2, 0, 0), event_date=nov2)])
    assert main(["load", "--lake", lake.root, "--warehouse", str(warehouse), "--day", "2019-10-02"]) == 0
    assert count_by_day(warehouse, "events") == {"2019-10-01": 2, "2019-10-02": 2, "2019-11-01": 1}
    assert count_by_day(warehouse, "live_traffic") == {"2019-11-02": 1}
    assert count_by_day(warehouse, "funnel_daily") == {"2019-10-01": 1, "2019-10-02": 1, "2019-11-01": 1}


def _events_on(day: str) -> list[dict]:
    from warehouse_lake import EVENTS

    return [e for e in EVENTS if str(e["event_date"]) == day]


def test_the_load_command_refuses_a_malformed_day(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["load", "--lake", str(tmp_path), "--day", "2019-13-01"])
    assert "expected a day YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.integration
def test_bigquery_day_load_and_the_last_hour_view(bigquery_client, tmp_path):
    """The same day load and view on the BigQuery emulator (bqemulator)."""
    client, dataset = bigquery_client, "live_day_load"
    lake = live_lake(tmp_path / "lake")

    def load(**kwargs):
        load_bigquery(
            lake=lake, project=client.project, dataset=dataset, client=client, timeout=TIMEOUT, **kwargs
        )

    def query(statement: str) -> list[tuple]:
        job = client.query(statement, timeout=TIMEOUT, retry=Retry(timeout=TIMEOUT))
        return [tuple(row.values()) for row in job.result(timeout=TIMEOUT)]

    load()
    ref = f"`{client.project}.{dataset}."
    fetched = query(LAST_HOUR_SQL.replace("{", ref).replace("}", "`"))
    assert [comparable(row) for row in fetched] == [comparable(row) for row in EXPECTED_LAST_HOUR]
    write_table(lake, contract.EVENTS, _events_on("2019-10-02") * 2)
    load(days=["2019-10-02"])
    counted = query(
        f"SELECT CAST(event_date AS STRING), COUNT(*) FROM {ref}events` "
        "WHERE event_date >= DATE '2019-01-01' GROUP BY 1 ORDER BY 1"
    )
    assert counted == [("2019-10-01", 2), ("2019-10-02", 2), ("2019-11-01", 1)]


def test_skip_missing_days_leaves_out_a_day_without_events_and_loads_the_rest(tmp_path, capsys):
    lake, warehouse = live_lake(tmp_path / "lake"), str(tmp_path / "w.duckdb")
    argv = ["load", "--lake", lake.root, "--warehouse", warehouse, "--skip-missing-days"]
    assert main([*argv, "--day", "2019-10-09"]) == 0  # nothing landed that day yet: not a failure
    assert "nothing to load" in capsys.readouterr().out
    assert main([*argv, "--day", "2019-10-09", "--day", "2019-10-01"]) == 0
    assert count_by_day(warehouse, "events") == {"2019-10-01": 2}


def test_a_day_load_of_a_stream_lake_without_monthly_marts_yet_loads_the_daily_tables(tmp_path):
    """A stream writes monthly marts and sessions at its cadence: before the first, a day load works."""
    lake = live_lake(tmp_path / "lake")
    for table in (
        contract.FUNNEL_BY_CATEGORY,
        contract.FUNNEL_BY_BRAND,
        contract.PRODUCT_FUNNEL,
        contract.SESSIONS,
    ):
        shutil.rmtree(lake.table_path(table))
    warehouse = tmp_path / "w.duckdb"
    load_duckdb(lake=lake, warehouse=str(warehouse), days=["2019-10-01"])
    assert count_by_day(warehouse, "events") == {"2019-10-01": 2}
    assert count_by_day(warehouse, "sessions", "session_date") == {}
