"""The BigQuery loader against a real BigQuery emulator (bqemulator, from the bigquery_emulator fixture).

One emulator serves the module; each scenario uses its own dataset. The hand-made lake and the
numbers each view must show are in tests/warehouse_lake.py, shared with the DuckDB tests.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.api_core.retry import Retry
from warehouse_lake import (
    EXPECTED_VIEWS,
    LAKE_ROWS,
    assert_view_rows,
    build_lake,
    corrupt_data_pages,
    normalise,
)

from spark_jobs import contract
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake
from spark_jobs.warehouse import bigquery_loader, sql
from spark_jobs.warehouse.bigquery_loader import STAGING_PREFIX, load_bigquery
from spark_jobs.warehouse.plan import plan_load

pytestmark = pytest.mark.integration

TIMEOUT = 60.0  # the emulator answers in well under a second; a 500 must not retry for 10 minutes


def load(client, lake, dataset, months=None):
    return load_bigquery(
        lake=lake, project=client.project, dataset=dataset, months=months, client=client, timeout=TIMEOUT
    )


def query(client, statement: str) -> list[dict]:
    job = client.query(statement, timeout=TIMEOUT, retry=Retry(timeout=TIMEOUT))
    return [dict(row.items()) for row in job.result(timeout=TIMEOUT)]


def rows_per_month(client, dataset: str, table) -> dict[str, int]:
    column = table.partition_column
    result = query(
        client,
        f"SELECT FORMAT_DATE('%Y-%m', {column}) AS month, COUNT(*) AS row_count "
        f"FROM `{client.project}.{dataset}.{table.name}` WHERE {column} >= DATE '2000-01-01' GROUP BY month",
    )
    return {row["month"]: row["row_count"] for row in result}


def table_names(client, dataset: str) -> set[str]:
    return {table.table_id for table in client.list_tables(f"{client.project}.{dataset}", timeout=TIMEOUT)}


@pytest.fixture(scope="module")
def loaded(bigquery_client, tmp_path_factory):
    """A dataset with both months of the hand-made lake loaded (one load per month)."""
    dataset = "warehouse_views"
    lake = build_lake(tmp_path_factory.mktemp("bq-lake"))
    load(bigquery_client, lake, dataset, ["2019-10"])
    load(bigquery_client, lake, dataset, ["2019-11"])
    return dataset


def test_load_creates_tables_with_partitioning_and_clustering(bigquery_client, loaded):
    for table in contract.WAREHOUSE_TABLES:
        created = bigquery_client.get_table(
            f"{bigquery_client.project}.{loaded}.{table.name}", timeout=TIMEOUT
        )
        assert [field.name for field in created.schema] == table.column_names
        if table.partition_column:
            assert created.time_partitioning.field == table.partition_column
        assert (created.clustering_fields or []) == list(table.cluster_by)


def test_load_leaves_tables_and_views_but_no_staging_tables(bigquery_client, loaded):
    expected = {t.name for t in contract.WAREHOUSE_TABLES} | {sql.view_name(p) for p in sql.view_files()}
    names = table_names(bigquery_client, loaded)
    assert names == expected
    assert not [name for name in names if name.startswith(STAGING_PREFIX)]


@pytest.mark.parametrize("view", sorted(EXPECTED_VIEWS))
def test_view_numbers_match_the_marts(bigquery_client, loaded, view):
    assert_view_rows(
        view, query(bigquery_client, f"SELECT * FROM `{bigquery_client.project}.{loaded}.{view}`")
    )


@pytest.mark.parametrize("path", sql.view_files(), ids=lambda p: p.stem)
def test_view_gives_the_same_rows_in_bigquery_and_duckdb(bigquery_client, loaded, tmp_path, path):
    """The DuckDB copy of every view is the BigQuery SQL transpiled: both engines must agree."""
    import duckdb

    from spark_jobs.warehouse.duckdb_loader import load_duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    load_duckdb(lake=build_lake(tmp_path / "lake"), warehouse=str(warehouse))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("SET TimeZone='UTC'")
        embedded = sorted(comparable(row) for row in con.execute(f"SELECT * FROM {path.stem}").fetchall())
    in_bigquery = query(bigquery_client, f"SELECT * FROM `{bigquery_client.project}.{loaded}.{path.stem}`")
    assert in_bigquery, f"{path.stem} returned no rows"
    assert sorted(comparable(tuple(row.values())) for row in in_bigquery) == embedded


def comparable(row: tuple) -> tuple:
    """Engine-neutral values: numbers as floats rounded to 9 places (NUMERIC vs DOUBLE), None first."""
    values = (normalise(value) for value in row)
    return tuple((0, "") if v is None else (1, round(v, 9) if isinstance(v, float) else v) for v in values)


def test_month_reload_and_another_month(bigquery_client, tmp_path, new_dataset):
    """Load October, reload it (no duplicates), then load November (October untouched)."""
    lake = build_lake(tmp_path / "lake")
    loaded_rows = load(bigquery_client, lake, new_dataset, ["2019-10"])
    assert loaded_rows["sessions"] == 4
    assert rows_per_month(bigquery_client, new_dataset, contract.EVENTS) == {"2019-10": 3}

    load(bigquery_client, lake, new_dataset, ["2019-10"])
    assert rows_per_month(bigquery_client, new_dataset, contract.EVENTS) == {"2019-10": 3}
    assert rows_per_month(bigquery_client, new_dataset, contract.EVENT_TYPE_BY_HOUR) == {"2019-10": 6}
    october_sessions = query(
        bigquery_client,
        f"SELECT user_session, duration_seconds FROM `{bigquery_client.project}.{new_dataset}.sessions` "
        "WHERE session_date < DATE '2019-11-01' ORDER BY user_session",
    )

    load(bigquery_client, lake, new_dataset, ["2019-11"])
    assert rows_per_month(bigquery_client, new_dataset, contract.EVENTS) == {"2019-10": 3, "2019-11": 1}
    assert rows_per_month(bigquery_client, new_dataset, contract.PRODUCT_FUNNEL) == {
        "2019-10": 2,
        "2019-11": 1,
    }
    assert (
        query(
            bigquery_client,
            f"SELECT user_session, duration_seconds FROM `{bigquery_client.project}.{new_dataset}.sessions` "
            "WHERE session_date < DATE '2019-11-01' ORDER BY user_session",
        )
        == october_sessions
    )
    batches = query(
        bigquery_client,
        f"SELECT batch_id, COUNT(*) AS row_count FROM `{bigquery_client.project}.{new_dataset}.data_quality` "
        "GROUP BY batch_id ORDER BY batch_id",
    )
    assert batches == [{"batch_id": "2019-10", "row_count": 4}, {"batch_id": "2019-11", "row_count": 2}]


def test_schema_mismatch_is_refused_before_any_table_changes(bigquery_client, tmp_path, new_dataset):
    lake = build_lake(tmp_path / "lake")
    load(bigquery_client, lake, new_dataset, ["2019-10"])
    before = rows_per_month(bigquery_client, new_dataset, contract.FUNNEL_DAILY)
    path = f"{lake.table_path(contract.FUNNEL_DAILY)}/event_date=2019-10-02/part-00000.parquet"
    data = pq.read_table(path)
    pq.write_table(data.set_column(0, "view_count", pa.array([5.0])), path)
    with pytest.raises(
        UserError, match="column 'view_count' is double, the funnel_daily contract says INT64"
    ):
        load(bigquery_client, lake, new_dataset, ["2019-10"])
    assert rows_per_month(bigquery_client, new_dataset, contract.FUNNEL_DAILY) == before
    assert not [name for name in table_names(bigquery_client, new_dataset) if name.startswith(STAGING_PREFIX)]


def test_a_failing_load_job_changes_no_table_and_leaves_no_staging_table(
    bigquery_client, tmp_path, new_dataset
):
    """sessions is staged last: every other folder is already in a staging table when its load job fails."""
    lake = build_lake(tmp_path / "lake")
    load(bigquery_client, lake, new_dataset, ["2019-10"])
    corrupt_data_pages(f"{lake.table_path(contract.SESSIONS)}/session_date=2019-11-01/part-00000.parquet")
    with pytest.raises(RuntimeError, match=r"load job for .*/session_date=2019-11-01 failed"):
        load(bigquery_client, lake, new_dataset)
    assert rows_per_month(bigquery_client, new_dataset, contract.EVENTS) == {"2019-10": 3}
    assert rows_per_month(bigquery_client, new_dataset, contract.SESSIONS) == {"2019-10": 4}
    assert not [name for name in table_names(bigquery_client, new_dataset) if name.startswith(STAGING_PREFIX)]


def test_replace_transaction_is_all_or_nothing(bigquery_client, tmp_path, new_dataset):
    """The DELETE of the first tables has run when the INSERT into sessions fails: all is rolled back."""
    lake = build_lake(tmp_path / "lake")
    load(bigquery_client, lake, new_dataset, ["2019-10"])
    plan = plan_load(lake, ["2019-10"])
    calls = bigquery_loader.Calls(timeout=TIMEOUT, retry=Retry(timeout=TIMEOUT), labels={}, location="US")
    staged = {}
    for table_plan in plan.tables:
        for piece in table_plan.slices:
            staged[piece] = bigquery_loader._staging_name(piece, bigquery_client.project, new_dataset, "t")
            bigquery_loader._stage(bigquery_client, piece, staged[piece], calls)
    sessions = next(tp for tp in plan.tables if tp.table is contract.SESSIONS)
    bigquery_client.delete_table(staged[sessions.slices[-1]], timeout=TIMEOUT)
    with pytest.raises(Exception, match="_staging_sessions_20191002_t"):
        bigquery_loader._replace(bigquery_client, plan, staged, bigquery_client.project, new_dataset, calls)
    for table in (contract.EVENTS, contract.FUNNEL_DAILY, contract.SESSIONS):
        assert sum(rows_per_month(bigquery_client, new_dataset, table).values()) == len(
            [r for r in LAKE_ROWS[table.name] if str(r[table.partition_column]) < "2019-11"]
        )


def test_bad_input_creates_no_dataset(bigquery_client, tmp_path, new_dataset):
    with pytest.raises(UserError, match="lake not found"):
        load(bigquery_client, Lake(str(tmp_path / "nowhere")), new_dataset)
    with pytest.raises(UserError, match="invalid BigQuery dataset name"):
        load(bigquery_client, build_lake(tmp_path / "lake"), "bad-name")
    datasets = {d.dataset_id for d in bigquery_client.list_datasets(timeout=TIMEOUT)}
    assert new_dataset not in datasets and "bad-name" not in datasets


def test_a_table_that_drifted_from_the_contract_is_refused(bigquery_client, tmp_path, new_dataset):
    from google.cloud import bigquery

    bigquery_client.create_dataset(f"{bigquery_client.project}.{new_dataset}", timeout=TIMEOUT)
    old = bigquery.Table(
        f"{bigquery_client.project}.{new_dataset}.funnel_daily",
        schema=[bigquery.SchemaField("event_date", "DATE"), bigquery.SchemaField("views", "INT64")],
    )
    bigquery_client.create_table(old, timeout=TIMEOUT)
    with pytest.raises(UserError, match=r"funnel_daily has schema .* the contract says"):
        load(bigquery_client, build_lake(tmp_path / "lake"), new_dataset, ["2019-10"])
    assert table_names(bigquery_client, new_dataset) == {"funnel_daily"}  # nothing created either


def test_load_jobs_carry_labels(bigquery_client, loaded):
    """Query jobs get the same labels, but the emulator does not keep labels of query jobs."""
    jobs = list(bigquery_client.list_jobs(max_results=500, timeout=TIMEOUT))
    labelled = [job for job in jobs if (job.labels or {}).get("step") == "warehouse-load"]
    assert "load" in {job.job_type for job in labelled}
    assert {job.labels["table"] for job in labelled} == {t.name for t in contract.WAREHOUSE_TABLES}
    assert all(job.labels["app"] == "clickstream" for job in labelled)


def test_row_count_check_fails_loudly_when_a_partition_lost_rows(bigquery_client, tmp_path, new_dataset):
    """The post-load check compares rows per partition with the Parquet footers of the lake."""
    lake = build_lake(tmp_path / "lake")
    load(bigquery_client, lake, new_dataset, ["2019-10"])
    query(
        bigquery_client,
        f"DELETE FROM `{bigquery_client.project}.{new_dataset}.sessions` WHERE user_session = 's4'",
    )
    sessions_plan = next(tp for tp in plan_load(lake, ["2019-10"]).tables if tp.table is contract.SESSIONS)
    calls = bigquery_loader.Calls(timeout=TIMEOUT, retry=Retry(timeout=TIMEOUT), labels={}, location="US")
    with pytest.raises(RuntimeError, match=r"rows per session_date after load .* differ from the lake's"):
        bigquery_loader._verify(bigquery_client, sessions_plan, bigquery_client.project, new_dataset, calls)


def test_load_command_loads_into_the_emulator(bigquery_emulator, bigquery_client, tmp_path, new_dataset):
    from spark_jobs.cli import main

    lake = build_lake(tmp_path / "lake", months={"2019-11"})
    argv = ["load", "--target", "bigquery", "--lake", lake.root, "--project", bigquery_emulator.project]
    argv += ["--dataset", new_dataset, "--api-endpoint", bigquery_emulator.endpoint, "--timeout", "60"]
    assert main(argv) == 0
    assert rows_per_month(bigquery_client, new_dataset, contract.SESSIONS) == {"2019-11": 1}


def test_load_command_needs_project_and_dataset_for_bigquery(tmp_path, capsys):
    from spark_jobs.cli import main

    assert main(["load", "--target", "bigquery", "--lake", str(tmp_path)]) == 1
    assert "--target bigquery needs --project and --dataset" in capsys.readouterr().err


def test_load_from_a_gs_lake_uses_one_uri_per_partition_folder(
    bigquery_emulator, bigquery_client, fake_gcs, tmp_path, new_dataset
):
    """A gs:// lake: the plan lists folders and reads Parquet footers over the GCS API (fake-gcs-server),
    and the load jobs get `gs://.../<partition folder>/*.parquet` URIs. bqemulator cannot read gs://
    through the GCS API, only from a local folder laid out like the bucket, so the same files are
    written there too (a copy of the data, not a mock of the code under test)."""
    from servers.gcs import gcs_client, new_bucket

    bucket = new_bucket("lake")
    lake = build_lake(bigquery_emulator.gcs_local_root / bucket / "lake", months={"2019-11"})
    uploader = gcs_client().bucket(bucket)
    for path in Path(lake.root).rglob("*.parquet"):
        uploader.blob(str(path.relative_to(bigquery_emulator.gcs_local_root / bucket))).upload_from_filename(
            path
        )

    loaded = load(bigquery_client, Lake(f"gs://{bucket}/lake"), new_dataset)
    assert loaded["events"] == 1 and loaded["data_quality"] == 2
    assert rows_per_month(bigquery_client, new_dataset, contract.FUNNEL_DAILY) == {"2019-11": 1}
    kpis = query(
        bigquery_client, f"SELECT buyers, revenue FROM `{bigquery_client.project}.{new_dataset}.v_daily_kpis`"
    )
    assert kpis == [{"buyers": 1, "revenue": Decimal("100")}]
