"""Focused measurements behind the decisions in the README's Performance section (not part of `make bench`).

`python -m spark_jobs.bench.probes raw-formats --csv FILE --work DIR`
    ingest the month as Parquet parts, gzip CSV parts and plain CSV parts (timed), then Spark's full
    parse pass (every column read, validated and typed) over each (CSV parts are converted into
    Parquet parts first, as the clean job does, and the conversion is timed with the pass).
`python -m spark_jobs.bench.probes timestamps --raw DIR`
    the cost of each way of parsing event_time over an ingested month.
`python -m spark_jobs.bench.probes settings --raw DIR --work DIR`
    clean + marts under several shuffle partition counts, in one session.
Each probe prints one JSON line per variant: {"probe", "variant", "seconds", ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time

from spark_jobs.logs import configure_logging


def _print(probe: str, variant: str, seconds: float, **extra) -> None:
    print(json.dumps({"probe": probe, "variant": variant, "seconds": round(seconds, 2), **extra}), flush=True)


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


RAW_PART_VARIANTS = {"parquet": ("parquet", True), "csv.gz": ("csv", True), "csv": ("csv", False)}


def raw_formats(csv_path: str, work: str) -> None:
    """Ingest the month in each part format, then time Spark's full parse pass over each."""
    from spark_jobs.ingest.job import ingest_month
    from spark_jobs.lake import Lake
    from spark_jobs.raw_input import stage_csv_inputs
    from spark_jobs.session import get_spark

    shutil.rmtree(work, ignore_errors=True)
    folders = {}
    for variant, (part_format, compress) in RAW_PART_VARIANTS.items():

        def ingest(variant=variant, part_format=part_format, compress=compress):
            dest = os.path.join(work, variant)
            return ingest_month(
                month="2019-10", dest=dest, source=csv_path, part_format=part_format, compress=compress,
                progress_bar=False,
            )  # fmt: skip

        seconds, summary = _timed(ingest)
        folders[variant] = summary["month_uri"]
        _print("ingest", variant, seconds, parts=summary["parts"])
    spark = get_spark("probes")
    lake = Lake(os.path.join(work, "lake"))
    _full_parse(spark, [folders["parquet"]])  # warm-up: JIT and page cache
    for variant, folder in folders.items():
        if variant == "parquet":
            seconds, _ = _timed(lambda folder=folder: _full_parse(spark, [folder]))
        else:

            def convert_and_parse(folder=folder):
                staged = stage_csv_inputs([folder], lake, "probe")
                try:
                    _full_parse(spark, staged.inputs)
                finally:
                    staged.remove()

            seconds, _ = _timed(convert_and_parse)
        _print("parse", variant, seconds)


def _full_parse(spark, parts: list[str]) -> None:
    """Every column read, validated and typed into clean events, as the clean job's events pass does."""
    from spark_jobs import clean
    from spark_jobs.jobs import read_raw

    frame = read_raw(spark, parts)
    clean.valid_events(clean.validate(frame)).write.format("noop").mode("overwrite").save()


TIMESTAMP_VARIANTS = {
    "text only (no parse)": "substring(event_time, 1, 19)",
    "try_to_timestamp(pattern)": "try_to_timestamp(substring(event_time, 1, 19), 'yyyy-MM-dd HH:mm:ss')",
    "try_cast(as timestamp)": "try_cast(substring(event_time, 1, 19) as timestamp)",
    "regex + try_cast": "CASE WHEN event_time RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}( UTC)?$'"
    " THEN try_cast(substring(event_time, 1, 19) as timestamp) END",
    "regex + try_to_timestamp": "CASE WHEN event_time RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}( UTC)?$'"
    " THEN try_to_timestamp(substring(event_time, 1, 19), 'yyyy-MM-dd HH:mm:ss') END",
}


def timestamps(raw_dir: str) -> None:
    from pyspark.sql import functions as F

    from spark_jobs.jobs import read_raw
    from spark_jobs.session import get_spark

    spark = get_spark("probes")
    raw = read_raw(spark, [raw_dir]).select("event_time").cache()
    raw.count()
    for variant, expression in [*TIMESTAMP_VARIANTS.items(), *TIMESTAMP_VARIANTS.items()]:
        seconds, _ = _timed(lambda e=expression: raw.select(F.expr(e).alias("t")).agg(F.max("t")).collect())
        _print("timestamp", variant, seconds)
    raw.unpersist()


def settings(raw_dir: str, work: str) -> None:
    from spark_jobs import jobs
    from spark_jobs.lake import Lake
    from spark_jobs.session import get_spark

    spark = get_spark("probes")
    variants = [
        ("8 partitions", "8"),
        ("4 partitions", "4"),
        ("16 partitions", "16"),
        ("8 partitions (again)", "8"),
    ]
    for variant, partitions in variants:
        shutil.rmtree(work, ignore_errors=True)
        spark.conf.set("spark.sql.shuffle.partitions", partitions)
        lake = Lake(work)
        clean_seconds, report = _timed(lambda lake=lake: jobs.clean_batch(spark, [raw_dir], lake))
        marts_seconds, _ = _timed(
            lambda lake=lake, report=report: jobs.build_marts(spark, lake, report.months)
        )
        _print(
            "settings",
            variant,
            clean_seconds + marts_seconds,
            clean=round(clean_seconds, 2),
            marts=round(marts_seconds, 2),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spark_jobs.bench.probes", description=__doc__)
    parser.add_argument("probe", choices=("raw-formats", "timestamps", "settings"))
    parser.add_argument("--csv", help="a generated month (raw-formats)")
    parser.add_argument("--raw", help="an ingested month folder (timestamps, settings)")
    parser.add_argument("--work", default="bench/cache/probes", help="scratch folder")
    args = parser.parse_args(argv)
    configure_logging()
    if args.probe == "raw-formats":
        raw_formats(args.csv, args.work)
    elif args.probe == "timestamps":
        timestamps(args.raw)
    else:
        settings(args.raw, args.work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
