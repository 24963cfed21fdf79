"""The DuckDB warehouse: same tables and views (transpiled from the BigQuery SQL files), month replace."""

from __future__ import annotations

import duckdb
import pytest
from warehouse_lake import EXPECTED_VIEWS, assert_view_rows, build_lake, corrupt_data_pages

from spark_jobs import contract
from spark_jobs.cli import main
from spark_jobs.errors import UserError
from spark_jobs.warehouse import sql
from spark_jobs.warehouse.duckdb_loader import load_duckdb


def fetch(path, statement: str) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone='UTC'")
        cursor = con.execute(statement)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rows_per_month(path, table) -> dict[str, int]:
    column = table.partition_column
    result = fetch(
        path, f"SELECT strftime({column}, '%Y-%m') AS m, COUNT(*) AS n FROM {table.name} GROUP BY m"
    )
    return {row["m"]: row["n"] for row in result}


@pytest.fixture
def warehouse(tmp_path):
    return tmp_path / "warehouse.duckdb"


def test_load_creates_every_contract_table_with_contract_types(tmp_path, warehouse):
    load_duckdb(lake=build_lake(tmp_path / "lake"), warehouse=str(warehouse))
    columns = fetch(
        warehouse, "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
    )
    for table in contract.WAREHOUSE_TABLES:
        found = [(c["column_name"], c["is_nullable"]) for c in columns if c["table_name"] == table.name]
        assert found == [(c.name, "YES" if c.nullable else "NO") for c in table.columns]
    price = next(c for c in columns if c["table_name"] == "events" and c["column_name"] == "price")
    assert price["data_type"] == "DECIMAL(12,2)"


@pytest.mark.parametrize("view", sorted(EXPECTED_VIEWS))
def test_view_returns_the_expected_numbers(tmp_path, warehouse, view):
    load_duckdb(lake=build_lake(tmp_path / "lake"), warehouse=str(warehouse))
    assert_view_rows(view, fetch(warehouse, f"SELECT * FROM {view}"))


def test_every_view_file_becomes_a_view_that_runs(tmp_path, warehouse):
    load_duckdb(lake=build_lake(tmp_path / "lake"), warehouse=str(warehouse))
    views = {
        row["view_name"]
        for row in fetch(warehouse, "SELECT view_name FROM duckdb_views() WHERE NOT internal")
    }
    assert views == {sql.view_name(path) for path in sql.view_files()}
    for view in views:
        assert fetch(warehouse, f"SELECT * FROM {view}"), f"{view} returned no rows"


@pytest.mark.parametrize("path", sql.query_files(), ids=lambda p: p.name)
def test_analysis_query_runs_after_transpilation(tmp_path, warehouse, path):
    load_duckdb(lake=build_lake(tmp_path / "lake"), warehouse=str(warehouse))
    assert fetch(warehouse, sql.duckdb_sql(path))


def test_analysis_queries_answer_with_the_expected_rows(tmp_path, warehouse):
    load_duckdb(lake=build_lake(tmp_path / "lake"), warehouse=str(warehouse))
    peak = fetch(warehouse, sql.duckdb_sql(sql.QUERIES_DIR / "peak_hours.sql"))
    # by events per covered day: 9 (8 on Oct 1), 10 (7 on Nov 1), 8 (13 over Oct 1 and 2), 12, 11 (0)
    assert [row["event_hour"] for row in peak] == [9, 10, 8, 12, 11]
    brands = fetch(warehouse, sql.duckdb_sql(sql.QUERIES_DIR / "best_converting_brands.sql"))
    assert [(str(row["event_month"]), row["brand"]) for row in brands] == [
        ("2019-10-01", "acme"),
        ("2019-11-01", "zeta"),
    ]
    dropoff = fetch(warehouse, sql.duckdb_sql(sql.QUERIES_DIR / "dropoff_points.sql"))
    october = dropoff[0]
    assert (october["month"], october["sessions"], october["sessions_ending_at_cart"]) == ("2019-10", 4, 1)
    assert october["cart_abandonment_rate"] == pytest.approx(0.5)


def test_reloading_a_month_replaces_it_without_duplicates(tmp_path, warehouse):
    lake = build_lake(tmp_path / "lake")
    load_duckdb(lake=lake, warehouse=str(warehouse), months=["2019-10"])
    first = rows_per_month(warehouse, contract.EVENT_TYPE_BY_HOUR)
    load_duckdb(lake=lake, warehouse=str(warehouse), months=["2019-10"])
    assert rows_per_month(warehouse, contract.EVENT_TYPE_BY_HOUR) == first == {"2019-10": 6}
    batches = fetch(warehouse, "SELECT batch_id, COUNT(*) AS n FROM data_quality GROUP BY batch_id")
    assert batches == [{"batch_id": "2019-10", "n": 4}]


def test_loading_another_month_leaves_the_first_untouched(tmp_path, warehouse):
    october = build_lake(tmp_path / "october", months={"2019-10"})
    november = build_lake(tmp_path / "november", months={"2019-11"})
    load_duckdb(lake=october, warehouse=str(warehouse))
    load_duckdb(lake=november, warehouse=str(warehouse))
    assert rows_per_month(warehouse, contract.SESSIONS) == {"2019-10": 4, "2019-11": 1}
    assert rows_per_month(warehouse, contract.FUNNEL_BY_BRAND) == {"2019-10": 2, "2019-11": 1}
    assert_view_rows("v_daily_kpis", fetch(warehouse, "SELECT * FROM v_daily_kpis"))


def test_a_rebuilt_month_replaces_the_old_rows(tmp_path, warehouse):
    import shutil

    lake = build_lake(tmp_path / "lake")
    load_duckdb(lake=lake, warehouse=str(warehouse))
    # the month is rebuilt without its second day: the warehouse must lose that day too
    shutil.rmtree(f"{lake.table_path(contract.FUNNEL_DAILY)}/event_date=2019-10-02")
    load_duckdb(lake=lake, warehouse=str(warehouse), months=["2019-10"])
    days = fetch(warehouse, "SELECT CAST(event_date AS VARCHAR) AS d FROM funnel_daily ORDER BY d")
    assert [row["d"] for row in days] == ["2019-10-01", "2019-11-01"]


def test_schema_mismatch_is_refused_and_changes_nothing(tmp_path, warehouse):
    import pyarrow as pa
    import pyarrow.parquet as pq

    lake = build_lake(tmp_path / "lake")
    load_duckdb(lake=lake, warehouse=str(warehouse), months=["2019-10"])
    before = fetch(warehouse, "SELECT * FROM sessions ORDER BY user_session")
    path = f"{lake.table_path(contract.SESSIONS)}/session_date=2019-11-01/part-00000.parquet"
    data = pq.read_table(path)
    pq.write_table(
        data.set_column(
            data.schema.get_field_index("duration_seconds"), "duration_seconds", pa.array(["300"])
        ),
        path,
    )
    with pytest.raises(UserError, match="column 'duration_seconds' is string"):
        load_duckdb(lake=lake, warehouse=str(warehouse))
    assert fetch(warehouse, "SELECT * FROM sessions ORDER BY user_session") == before


def test_a_load_failing_half_way_changes_nothing(tmp_path, warehouse):
    """sessions is loaded last: every table before it was already replaced when its file fails."""
    lake = build_lake(tmp_path / "lake")
    load_duckdb(lake=lake, warehouse=str(warehouse), months=["2019-10"])
    before = {
        t.name: fetch(warehouse, f"SELECT COUNT(*) AS n FROM {t.name}") for t in contract.WAREHOUSE_TABLES
    }
    corrupt_data_pages(f"{lake.table_path(contract.SESSIONS)}/session_date=2019-10-02/part-00000.parquet")
    with pytest.raises(duckdb.Error):
        load_duckdb(lake=lake, warehouse=str(warehouse))
    after = {
        t.name: fetch(warehouse, f"SELECT COUNT(*) AS n FROM {t.name}") for t in contract.WAREHOUSE_TABLES
    }
    assert after == before


def test_remote_lake_is_refused_for_duckdb(warehouse):
    from spark_jobs.lake import Lake

    with pytest.raises(UserError, match="DuckDB target reads a local lake"):
        load_duckdb(lake=Lake("gs://bucket/lake"), warehouse=str(warehouse))


def test_load_command_defaults_to_duckdb(tmp_path, warehouse):
    lake = build_lake(tmp_path / "lake")
    assert main(["load", "--lake", lake.root, "--warehouse", str(warehouse), "--month", "2019-11"]) == 0
    assert rows_per_month(warehouse, contract.EVENTS) == {"2019-11": 1}


def test_load_command_reports_a_missing_lake_in_one_line(tmp_path, capsys):
    assert main(["load", "--lake", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb")]) == 1
    assert "load failed: lake not found" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()
