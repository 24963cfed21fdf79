"""One engine's run of clean + every mart, in its own process so the runner can time it as a whole run
and sample the memory of its process tree (Python driver + JVM for classic Spark; Python with the
embedded Sail server for Sail).

`python -m spark_jobs.bench.worker {sail,spark,duckdb} --raw DIR --out DIR --result FILE`
writes {"quality": {...}, "seconds": {stage: seconds}, "substages": {stage: seconds}} to FILE.
"""

from __future__ import annotations

import argparse
import functools
import glob
import json
import os
import time

from spark_jobs.logs import configure_logging
from spark_jobs.session import ENGINES as SPARK_ENGINES


def run_spark_jobs(raw_dir: str, out_dir: str, engine: str) -> dict:
    """The project's own jobs (`jobs.clean_batch`, `jobs.build_marts`) on `engine` (spark or sail)."""
    from spark_jobs.jobs import build_marts, clean_batch
    from spark_jobs.lake import Lake
    from spark_jobs.logs import recording_stages
    from spark_jobs.session import get_spark

    seconds: dict[str, float] = {}
    with recording_stages() as substages:
        started = time.perf_counter()
        spark = get_spark("bench", engine=engine)
        seconds["session"] = time.perf_counter() - started
        lake = Lake(out_dir)
        started = time.perf_counter()
        report = clean_batch(spark, [raw_dir], lake)
        seconds["clean"] = time.perf_counter() - started
        build_marts(spark, lake, report.months, timings=seconds)
    quality = {key: report.to_dict()[key] for key in ("rows_read", "rows_valid", "duplicates_removed")}
    quality["quarantined_by_reason"] = report.quarantined_by_reason
    return {"quality": quality, "seconds": seconds, "substages": substages}


def run_duckdb(raw_dir: str, out_dir: str) -> dict:
    from spark_jobs.bench.duckdb_baseline import run_baseline

    return run_baseline(raw_files(raw_dir), out_dir)


def raw_files(raw_dir: str) -> list[str]:
    """The data parts of an ingested month (the manifest starts with '_' and is skipped, as Spark does)."""
    return sorted(path for path in glob.glob(os.path.join(raw_dir, "part-*")) if os.path.isfile(path))


ENGINES = {
    **{engine: functools.partial(run_spark_jobs, engine=engine) for engine in SPARK_ENGINES},
    "duckdb": run_duckdb,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spark_jobs.bench.worker", description=__doc__)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--raw", required=True, help="an ingested month folder (raw/year=YYYY/month=MM)")
    parser.add_argument("--out", required=True, help="output folder (a lake for the Spark engines)")
    parser.add_argument("--result", required=True, help="JSON file for the quality counts and timings")
    args = parser.parse_args(argv)
    configure_logging()
    result = ENGINES[args.engine](args.raw, args.out)
    with open(args.result, "w") as file:
        json.dump(result, file, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
