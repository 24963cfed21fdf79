"""The jobs (on any engine) and the DuckDB baseline must produce the same numbers: every mart compared
in full, plus the quality counts.

DuckDB reads the jobs' partitioned Parquet and the baseline's Parquet, casts both to the contract's
types, and runs EXCEPT ALL both ways (so duplicated rows count too). Any difference fails the bench.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from spark_jobs import contract
from spark_jobs.bench.duckdb_baseline import conformed, mart_path
from spark_jobs.lake import Lake

SAMPLE_ROWS = 3


@dataclass
class Difference:
    table: str
    rows_spark: int
    rows_duckdb: int
    only_in_spark: int
    only_in_duckdb: int
    samples: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = (
            f"{self.table}: {self.rows_spark:,} rows from the jobs, {self.rows_duckdb:,} in DuckDB; "
            f"{self.only_in_spark:,} only from the jobs, {self.only_in_duckdb:,} only in DuckDB"
        )
        return "; ".join([text, *self.samples])


def _spark_table(lake: Lake, table: contract.Table) -> str:
    folder = os.path.abspath(lake.table_path(table))
    return f"SELECT * FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"


def compare_marts(spark_lake: str, duckdb_out: str) -> list[Difference]:
    """Differences between the jobs' marts in `spark_lake` and the baseline's in `duckdb_out` (empty: equal)."""
    import duckdb

    lake = Lake(spark_lake)
    differences = []
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute("SET enable_progress_bar = false")
        for table in contract.MARTS:
            spark_sql = conformed(_spark_table(lake, table), table)
            duckdb_sql = conformed(
                f"SELECT * FROM read_parquet('{mart_path(duckdb_out, table.name)}')", table
            )
            connection.execute(f"CREATE OR REPLACE TEMP TABLE s AS {spark_sql}")
            connection.execute(f"CREATE OR REPLACE TEMP TABLE d AS {duckdb_sql}")
            counts = connection.execute(
                "SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM d),"
                " (SELECT count(*) FROM (FROM s EXCEPT ALL FROM d)),"
                " (SELECT count(*) FROM (FROM d EXCEPT ALL FROM s))"
            ).fetchone()
            if counts[2] or counts[3]:
                samples = [
                    f"{side} {row}"
                    for side, query in (
                        ("jobs", "FROM s EXCEPT ALL FROM d"),
                        ("duckdb", "FROM d EXCEPT ALL FROM s"),
                    )
                    for row in connection.execute(f"{query} LIMIT {SAMPLE_ROWS}").fetchall()
                ]
                differences.append(Difference(table.name, *counts, samples=samples))
    return differences


def compare_quality(spark_quality: dict, duckdb_quality: dict) -> list[str]:
    """Rows read, valid, duplicates removed and quarantined per reason must be the same."""
    return [
        f"quality {key}: jobs {spark_quality.get(key)!r}, DuckDB {duckdb_quality.get(key)!r}"
        for key in ("rows_read", "rows_valid", "duplicates_removed", "quarantined_by_reason")
        if spark_quality.get(key) != duckdb_quality.get(key)
    ]
