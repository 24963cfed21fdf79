"""The embedded default, end to end on one machine: ingest -> clean + marts -> DuckDB -> dashboard.

`make run` calls this through `python -m spark_jobs local`. Each step is the same function the
individual commands (and the Kestra flows) call; this module only chains them in one process so the
JVM starts once.
"""

from __future__ import annotations

import logging
import os

from spark_jobs.errors import UserError
from spark_jobs.lake import Lake, batch_id_for
from spark_jobs.months import MonthError, parse_month

log = logging.getLogger("spark_jobs.local")


def month_of(input_path: str, month: str | None) -> str:
    month = month or batch_id_for(input_path)
    try:
        parse_month(month)
    except MonthError:
        raise UserError(
            f"cannot tell the month of {input_path}; pass --month YYYY-MM (with make: make run MONTH=2019-11)"
        ) from None
    return month


def run_local(
    *,
    input_path: str,
    lake: Lake,
    warehouse: str,
    dashboard: str,
    month: str | None = None,
    engine: str | None = None,
) -> dict:
    from spark_jobs.dashboard import build_dashboard
    from spark_jobs.ingest.job import ingest_month
    from spark_jobs.pipeline import run_pipeline
    from spark_jobs.session import get_spark
    from spark_jobs.warehouse.duckdb_loader import load_duckdb

    if not os.path.exists(input_path) and "://" not in input_path:
        raise UserError(f"input file not found: {input_path}")
    month = month_of(input_path, month)
    year, number = (int(part) for part in month.split("-"))
    ingest_month(month=month, dest=lake.path("raw"), source=input_path, force=True)
    result = run_pipeline(
        get_spark("local", engine=engine),
        inputs=[lake.raw_month_path(year, number)],
        lake=lake,
        months=[month],
    )
    load_duckdb(lake=lake, warehouse=warehouse, months=[month])
    build_dashboard(warehouse=warehouse, out=dashboard)
    log.info(
        "\nOutputs\n  lake:      %s\n  warehouse: %s (DuckDB: tables and v_* views)\n  dashboard: %s\n"
        "Open the dashboard in a browser: file://%s",
        os.path.abspath(lake.root),
        os.path.abspath(warehouse),
        os.path.abspath(dashboard),
        os.path.abspath(dashboard),
    )
    return result
