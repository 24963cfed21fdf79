"""One engine's run of clean + every mart, in its own process so the runner can time it as a whole run
and sample the memory of its process tree (Python driver + JVM for Spark).

`python -m spark_jobs.bench.worker {spark,duckdb} --raw DIR --out DIR --result FILE`
writes {"quality": {...}, "seconds": {stage: seconds}} to FILE.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import time

from spark_jobs.logs import configure_logging


def run_spark(raw_dir: str, out_dir: str) -> dict:
    from spark_jobs.jobs import build_marts, clean_batch
    from spark_jobs.lake import Lake
    from spark_jobs.session import get_spark

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    spark = get_spark("bench")
    seconds["session"] = time.perf_counter() - started
    lake = Lake(out_dir)
    started = time.perf_counter()
    report = clean_batch(spark, [raw_dir], lake)
    seconds["clean"] = time.perf_counter() - started
    build_marts(spark, lake, report.months, timings=seconds)
    quality = {key: report.to_dict()[key] for key in ("rows_read", "rows_valid", "duplicates_removed")}
    quality["quarantined_by_reason"] = report.quarantined_by_reason
    return {"quality": quality, "seconds": seconds}


def run_duckdb(raw_dir: str, out_dir: str) -> dict:
    from spark_jobs.bench.duckdb_baseline import run_baseline

    return run_baseline(raw_files(raw_dir), out_dir)


def raw_files(raw_dir: str) -> list[str]:
    """The data parts of an ingested month (the manifest starts with '_' and is skipped, as Spark does)."""
    return sorted(path for path in glob.glob(os.path.join(raw_dir, "part-*")) if os.path.isfile(path))


ENGINES = {"spark": run_spark, "duckdb": run_duckdb}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spark_jobs.bench.worker", description=__doc__)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--raw", required=True, help="an ingested month folder (raw/year=YYYY/month=MM)")
    parser.add_argument("--out", required=True, help="output folder (a lake for Spark)")
    parser.add_argument("--result", required=True, help="JSON file for the quality counts and timings")
    args = parser.parse_args(argv)
    configure_logging()
    result = ENGINES[args.engine](args.raw, args.out)
    with open(args.result, "w") as file:
        json.dump(result, file, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
