"""The benchmark on a tiny month: it runs every step on both engines (Sail, classic Spark), writes its
figures, and the DuckDB baseline computes exactly the marts and quality counts the jobs compute on each
engine (bad lines of every kind included).

No timing is asserted: timings are what `make bench` reports, not what tests check.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from spark_jobs import contract
from spark_jobs.bench import report
from spark_jobs.bench.compare import compare_marts, compare_quality
from spark_jobs.bench.duckdb_baseline import mart_path
from spark_jobs.bench.runner import BENCH_ENGINES, engine_lake, run_bench

ROWS = 20_000
BAD_ROWS = 40  # 0.2% of the lines, under the 1% quarantine limit


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    """The whole bench on the ingest step's default Parquet parts."""
    folder = tmp_path_factory.mktemp("bench")
    result = run_bench(
        rows=ROWS, bad_rows=BAD_ROWS, cache_dir=str(folder / "cache"), results_dir=str(folder / "results")
    )
    return folder, result


def test_gzip_csv_parts_give_duckdbs_marts_and_quality_counts(tmp_path):
    """`bench --raw-parts csv.gz`, on Sail alone: both engines' reading of gzip CSV parts is specified
    in test_ingest_spark.py; this is the bench's own path for them."""
    result = run_bench(
        rows=ROWS, bad_rows=BAD_ROWS, raw_parts="csv.gz", engines=("sail",),
        cache_dir=str(tmp_path / "cache"), results_dir=None,
    )  # fmt: skip
    assert result["match"] is True and result["differences"] == []
    assert set(result["engines"]) == {"sail"}
    assert result["engines"]["sail"]["quality"] == result["duckdb"]["quality"]
    assert sum(result["duckdb"]["quality"]["quarantined_by_reason"].values()) == BAD_ROWS


def test_both_engines_and_duckdb_produce_the_same_marts_and_quality_counts(bench_run):
    _, result = bench_run
    assert set(result["engines"]) == {"sail", "spark"} == set(BENCH_ENGINES)
    assert result["match"] is True
    assert result["differences"] == []
    for run in result["engines"].values():
        assert run["quality"] == result["duckdb"]["quality"]
        assert run["quality"]["rows_read"] == ROWS
        assert sum(run["quality"]["quarantined_by_reason"].values()) == BAD_ROWS


def test_every_stage_is_timed_for_every_engine_with_peak_memory(bench_run):
    _, result = bench_run
    stages = {"session", "clean", *(table.name for table in contract.MARTS)}
    runs = [*result["engines"].values(), result["duckdb"]]
    for run in runs:
        assert stages - {"session"} <= set(run["stages"])
    for run in [result["ingest"], *runs]:
        assert run["seconds"] > 0
        assert run["peak_rss_bytes"] > 0
    for run in result["engines"].values():
        assert stages <= set(run["stages"])
        assert run["rows_per_second"] > 0 and run["duckdb_ratio"] > 0
        # the clean job's own stages (quarantine pass, events write), for where the time goes
        assert any("quarantine" in name for name in run["substages"])


def test_figures_go_to_latest_json_and_the_history(bench_run):
    folder, result = bench_run
    latest = json.loads((folder / "results" / "latest.json").read_text())
    history = (folder / "results" / "history.jsonl").read_text().splitlines()
    assert latest["rows"] == ROWS
    assert json.loads(history[-1]) == latest


def test_the_printed_table_names_every_stage_and_target(bench_run):
    _, result = bench_run
    table = report.format_result(result)
    for text in (
        "ingest",
        "clean",
        "sessions",
        "rows/s",
        "MB/s",
        "peak memory",
        "Sail s",
        "Spark s",
        "DuckDB s",
    ):
        assert text in table
    assert "Sail/DuckDB time ratio" in table and "Spark/DuckDB time ratio" in table
    assert "marts equal in Sail, Spark, DuckDB: yes" in table


def test_a_single_changed_value_in_one_mart_is_a_difference(bench_run, tmp_path):
    folder, result = bench_run
    work = folder / "cache" / f"work-2019-10-{ROWS}"
    tampered = tmp_path / "duckdb"
    shutil.copytree(work / "duckdb" / "marts", tampered / "marts")
    path = mart_path(str(tampered), "funnel_daily")
    with duckdb.connect() as connection:
        connection.execute(
            f"COPY (SELECT * REPLACE (CASE WHEN event_date = (SELECT min(event_date) FROM '{path}')"
            f" THEN revenue + 0.01 ELSE revenue END AS revenue) FROM '{path}') TO '{path}.new' (FORMAT parquet)"
        )
    shutil.move(f"{path}.new", path)
    differences = compare_marts(engine_lake(str(work), "sail"), str(tampered))
    assert [(d.table, d.only_in_spark, d.only_in_duckdb) for d in differences] == [("funnel_daily", 1, 1)]


def test_different_quality_counts_are_reported():
    spark = {"rows_read": 10, "rows_valid": 9, "duplicates_removed": 1, "quarantined_by_reason": {}}
    duckdb_counts = {**spark, "rows_valid": 8, "duplicates_removed": 2}
    assert compare_quality(spark, duckdb_counts) == [
        "quality rows_valid: jobs 9, DuckDB 8",
        "quality duplicates_removed: jobs 1, DuckDB 2",
    ]
