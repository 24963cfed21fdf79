"""DuckDB warehouses of the real REES46 rows (and of one generated month), built once per test session.

Each is the project's own path from a raw file: `run_pipeline` (clean + marts with the real Spark
session) then `load_duckdb`. The test modules that need them (views on real rows, the browser
screenshots) call `warehouse_of`; a warehouse built by one module is reused by the next.
"""

from __future__ import annotations

from pathlib import Path

from real_data import COSMETICS_DEC, COSMETICS_OCT, MULTI_OCT_DERIVED, real_file

from spark_jobs.lake import Lake

# name -> the real file (multi-category: the first 2 h 50 min of 1 October; cosmetics: the first
# 20,000 rows and the last rows of each month)
REAL_FILES = {
    "multi_oct": MULTI_OCT_DERIVED,
    "cosmetics_oct": COSMETICS_OCT,
    "cosmetics_dec": COSMETICS_DEC,
}
GENERATED_ROWS = 20_000


def warehouse_of(spark, tmp_path_factory, name: str) -> Path:
    """The warehouse file of REAL_FILES[name] or of "generated" (a month from `generate`)."""
    root = tmp_path_factory.getbasetemp() / "real_warehouses" / name
    warehouse = root / "warehouse.duckdb"
    if not warehouse.exists():
        from spark_jobs.pipeline import run_pipeline
        from spark_jobs.warehouse.duckdb_loader import load_duckdb

        root.mkdir(parents=True, exist_ok=True)
        lake = Lake(str(root / "lake"))
        run_pipeline(spark, [str(_source(root, name))], lake)
        load_duckdb(lake=lake, warehouse=str(warehouse))
    return warehouse


def _source(root: Path, name: str) -> Path:
    if name != "generated":
        return real_file(REAL_FILES[name])
    from spark_jobs.cli import main

    source = root / "2019-Oct.csv.gz"
    args = [
        "generate",
        "--rows",
        str(GENERATED_ROWS),
        "--month",
        "2019-10",
        "--seed",
        "7",
        "--out",
        str(source),
    ]
    assert main(args) == 0
    return source
