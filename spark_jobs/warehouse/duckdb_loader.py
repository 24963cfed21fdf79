"""Load the lake into a local DuckDB warehouse file: the embedded default target of `make run`.

Same tables as BigQuery (typed from the contract) and the same views, transpiled from the BigQuery SQL
files. The whole load, its row-count check and the views run in one transaction: a failed load leaves
the file as it was.
"""

from __future__ import annotations

import logging
import os

import duckdb

from spark_jobs.errors import UserError
from spark_jobs.lake import Lake
from spark_jobs.logs import stage
from spark_jobs.schemas import duckdb_type
from spark_jobs.warehouse import sql
from spark_jobs.warehouse.ddl import duckdb_create_table_sql
from spark_jobs.warehouse.plan import LoadPlan, TablePlan, plan_load

log = logging.getLogger("spark_jobs.warehouse.duckdb")

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"


def load_duckdb(
    *,
    lake: Lake,
    warehouse: str = DEFAULT_WAREHOUSE,
    months: list[str] | None = None,
    days: list[str] | None = None,
    skip_missing_days: bool = False,
) -> dict[str, int]:
    """Replace the loaded months (or days) in every warehouse table; return rows loaded per table."""
    if lake.is_remote:
        raise UserError(
            f"the DuckDB target reads a local lake; {lake.root} is remote (use --target bigquery)"
        )
    plan = plan_load(lake, months, days=days, skip_missing_days=skip_missing_days)
    views = sql.view_files()
    os.makedirs(os.path.dirname(os.path.abspath(warehouse)), exist_ok=True)
    with stage("load duckdb") as info, duckdb.connect(warehouse) as con:
        con.execute("SET TimeZone='UTC'")
        con.execute("BEGIN TRANSACTION")
        try:
            loaded = _load(con, plan)
            for path in views:
                con.execute(sql.duckdb_create_view(path))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        info.update(
            months=",".join(plan.days or plan.months),
            rows=sum(loaded.values()),
            views=len(views),
            file=warehouse,
        )
    return loaded


def _load(con: duckdb.DuckDBPyConnection, plan: LoadPlan) -> dict[str, int]:
    loaded = {}
    for table_plan in plan.tables:
        table = table_plan.table
        con.execute(duckdb_create_table_sql(table))
        _check_existing_columns(con, table_plan)
        con.execute(f"DELETE FROM {table.name} WHERE {table_plan.replace_predicate()}")
        if table_plan.slices:
            columns = ", ".join(table.column_names)
            con.execute(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {_read_parquet(table_plan)}"
            )
        _check_counts(con, table_plan)
        loaded[table.name] = sum(s.rows for s in table_plan.slices)
        log.info("%s: %s rows in %s folder(s)", table.name, f"{loaded[table.name]:,}", len(table_plan.slices))
    return loaded


def _read_parquet(table_plan: TablePlan) -> str:
    files = ", ".join("'" + path.replace("'", "''") + "'" for s in table_plan.slices for path in s.files)
    column = table_plan.table.partition_column
    if column is None:
        return f"read_parquet([{files}])"
    # The partition column lives in the folder names (hive layout), not in the files.
    kind = duckdb_type(table_plan.table.column(column))
    return f"read_parquet([{files}], hive_partitioning = true, hive_types = {{'{column}': {kind}}})"


def _check_existing_columns(con: duckdb.DuckDBPyConnection, table_plan: TablePlan) -> None:
    table = table_plan.table
    actual = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = ? ORDER BY ordinal_position",
        [table.name],
    ).fetchall()
    expected = [(column.name, duckdb_type(column)) for column in table.columns]
    normalised = [(name, kind.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")) for name, kind in actual]
    if normalised != expected:
        raise UserError(
            f"warehouse table {table.name} has columns {normalised}, the contract says {expected}; "
            "delete the warehouse file to rebuild it"
        )


def _check_counts(con: duckdb.DuckDBPyConnection, table_plan: TablePlan) -> None:
    table = table_plan.table
    key = table.partition_column or "batch_id"
    rows = con.execute(
        f"SELECT CAST({key} AS VARCHAR), COUNT(*) FROM {table.name} WHERE {table_plan.replace_predicate()} GROUP BY 1"
    ).fetchall()
    actual = dict(rows)
    expected = table_plan.expected_rows()
    if actual != expected:
        raise RuntimeError(
            f"{table.name}: rows per {key} after load {actual} differ from the lake's {expected}"
        )
