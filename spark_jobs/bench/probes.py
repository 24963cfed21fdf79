"""Focused measurements behind the decisions in the README's Performance section (not part of `make bench`).

`python -m spark_jobs.bench.probes raw-formats --csv FILE --work DIR`
    Spark's parse pass (read + validate + count per reason) over the same month stored as gzip CSV
    parts, plain CSV parts and Parquet parts (pyarrow conversion time included).
`python -m spark_jobs.bench.probes timestamps --raw DIR`
    the cost of each way of parsing event_time over an ingested month.
`python -m spark_jobs.bench.probes settings --raw DIR --work DIR`
    clean + marts under several keep levels and shuffle partition counts, in one session.
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


def _parse_pass(spark, frame) -> dict:
    from pyspark.sql import functions as F

    from spark_jobs import clean

    validated = clean.narrowed(clean.validate(frame))
    rows = validated.groupBy("reason", F.to_date("_event_time")).count().collect()
    return {"rows": sum(row["count"] for row in rows)}


def _parquet_parts(csv_path: str, out_dir: str, part_rows: int = 1_000_000) -> None:
    """The month as Parquet parts of string columns, as an ingest step could write them with pyarrow."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from spark_jobs.clean import RAW_COLUMNS

    os.makedirs(out_dir, exist_ok=True)
    options = pacsv.ConvertOptions(column_types={name: pa.string() for name in RAW_COLUMNS})
    reader = pacsv.open_csv(
        csv_path, convert_options=options, read_options=pacsv.ReadOptions(block_size=64 << 20)
    )
    batches, index = [], 0
    for batch in reader:
        batches.append(batch)
        if sum(len(b) for b in batches) >= part_rows:
            pq.write_table(
                pa.Table.from_batches(batches), f"{out_dir}/part-{index:05d}.parquet", compression="zstd"
            )
            batches, index = [], index + 1
    if batches:
        pq.write_table(
            pa.Table.from_batches(batches), f"{out_dir}/part-{index:05d}.parquet", compression="zstd"
        )


def raw_formats(csv_path: str, work: str) -> None:
    from pyspark.sql import functions as F

    from spark_jobs import clean
    from spark_jobs.ingest.job import ingest_month
    from spark_jobs.jobs import read_raw
    from spark_jobs.session import get_spark

    shutil.rmtree(work, ignore_errors=True)
    folders = {}
    for compression in ("gzip", "none"):
        dest = os.path.join(work, compression)
        seconds, summary = _timed(
            lambda dest=dest, compression=compression: ingest_month(
                month="2019-10",
                dest=dest,
                source=csv_path,
                compress=compression == "gzip",
                progress_bar=False,
            )
        )
        folders[compression] = summary["month_uri"]
        _print("ingest", compression, seconds, parts=summary["parts"])
    folders["parquet"] = os.path.join(work, "parquet")
    seconds, _ = _timed(lambda: _parquet_parts(csv_path, folders["parquet"]))
    _print("ingest", "parquet (pyarrow)", seconds)
    spark = get_spark("probes")
    _parse_pass(spark, read_raw(spark, [folders["none"]]))  # warm-up: JIT and page cache
    for variant in ("gzip", "none", "parquet"):
        if variant == "parquet":
            frame = (
                spark.read.parquet(folders["parquet"])
                .withColumn(clean.CORRUPT, F.lit(None).cast("string"))
                .select(
                    "*",
                    F.col("_metadata.file_path").alias("source_file"),
                    F.monotonically_increasing_id().alias("row_id"),
                )
            )
        else:
            frame = read_raw(spark, [folders[variant]])
        seconds, value = _timed(lambda frame=frame: _parse_pass(spark, frame))
        _print("parse", variant, seconds, **value)


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
    from pyspark import StorageLevel

    from spark_jobs import jobs
    from spark_jobs.lake import Lake
    from spark_jobs.session import get_spark

    spark = get_spark("probes")
    variants = [
        ("keep MEMORY_AND_DISK, 8 partitions", StorageLevel.MEMORY_AND_DISK, "8"),
        ("keep DISK_ONLY, 8 partitions", StorageLevel.DISK_ONLY, "8"),
        ("keep MEMORY_AND_DISK, 4 partitions", StorageLevel.MEMORY_AND_DISK, "4"),
        ("keep MEMORY_AND_DISK, 16 partitions", StorageLevel.MEMORY_AND_DISK, "16"),
        ("keep MEMORY_AND_DISK, 8 partitions (again)", StorageLevel.MEMORY_AND_DISK, "8"),
    ]
    for variant, level, partitions in variants:
        shutil.rmtree(work, ignore_errors=True)
        jobs.KEEP_PARSED = level
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
