"""Jobs: wire read -> transform -> write. The transforms live in clean.py and the marts package."""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from datetime import timedelta

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from spark_jobs import clean, contract, lake_io, live_window, marts
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake, batch_id_for, write_batch, write_partitioned
from spark_jobs.locks import lake_lock
from spark_jobs.logs import stage
from spark_jobs.months import month_bounds
from spark_jobs.quality import (
    QualityReport,
    check_accounting,
    check_quarantine_share,
    format_report,
)
from spark_jobs.schemas import conform
from spark_jobs.vacuum import vacuum

log = logging.getLogger("spark_jobs.jobs")


# CSV inputs are kept on local disk after the one parse both passes of clean_batch read (the README's
# Performance section); ingested Parquet parts are read twice instead, which costs less than keeping them.
KEEP_PARSED = StorageLevel.DISK_ONLY


class InputError(UserError):
    """The input paths do not exist or hold no data."""


def raw_format(spark: SparkSession, inputs: list[str]) -> str:
    """`parquet` (the ingest step's parts) or `csv` (Kaggle files); one batch is one format."""
    formats = {}
    for path in inputs:
        name = lake_io.first_data_file(path)
        if name is None:
            raise InputError(f"no input file at {path}")
        formats[path] = "parquet" if name.endswith(".parquet") else "csv"
    if len(set(formats.values())) > 1:
        shown = ", ".join(f"{path} ({kind})" for path, kind in formats.items())
        raise InputError(f"one batch must be all Parquet parts or all CSV files; got {shown}")
    return next(iter(formats.values()))


def read_raw(spark: SparkSession, inputs: list[str], kind: str | None = None) -> DataFrame:
    """Raw lines as strings, with the source file and a row id; lines without 9 fields kept as corrupt.

    Reads what the ingest step stores (Parquet parts of string columns, the default) or Kaggle CSV
    files (plain or gzip, each with the Kaggle header, which is skipped). `kind` is `raw_format`'s answer.
    """
    reader = spark.read.schema(clean.RAW_SCHEMA)
    if (kind or raw_format(spark, inputs)) == "parquet":
        # the ingest step's Parquet parts: the same 9 string columns + _corrupt_record
        frame = reader.parquet(*inputs)
    else:
        frame = (
            reader.option("header", True)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", clean.CORRUPT)
            .csv(inputs)
        )
    return frame.select(
        "*",
        F.col("_metadata.file_path").alias("source_file"),
        F.monotonically_increasing_id().alias("row_id"),
    )


def clean_batch(
    spark: SparkSession,
    inputs: list[str],
    lake: Lake,
    batch_id: str | None = None,
    max_quarantine_share: float = 0.01,
) -> QualityReport:
    """Clean one batch of raw files into the lake; return its checked data-quality report.

    Two passes over the raw rows: the first writes the quarantine, the second the clean events
    (counting what it writes); the rows read are counted from the parts' metadata. Above the
    quarantine limit the second pass only counts: the quarantine and the report are written, no
    clean events are published, and QualityError is raised. A CSV input is parsed once and kept on
    local disk for both passes.
    """
    inputs = [lake.spark_uri(path) if "://" not in path else path for path in inputs]
    batch_id = batch_id or batch_id_for(inputs[0])
    # one run per lake and batch: a second run of the same month refuses at once, naming the holder
    with lake_lock(lake, f"batch-{batch_id}"):
        vacuum(lake)  # finish or remove what killed runs left, before reading or writing anything
        return _clean_batch_locked(spark, inputs, lake, batch_id, max_quarantine_share)


def _clean_batch_locked(
    spark: SparkSession, inputs: list[str], lake: Lake, batch_id: str, max_quarantine_share: float
) -> QualityReport:
    kind = raw_format(spark, inputs)
    raw = read_raw(spark, inputs, kind)
    if kind == "csv":
        raw = raw.persist(KEEP_PARSED)
    try:
        validated = clean.validate(raw)
        with stage(f"clean[{batch_id}] quarantine") as info:
            # rows read: from the Parquet parts' metadata (or the kept CSV), not from a counter inside
            # the pass, which would stop Spark's generated code at the counter and cost a second pass
            rows_read = raw.count()
            write_batch(clean.quarantined_rows(validated, batch_id), contract.QUARANTINE, lake, batch_id)
            quarantine = spark.read.parquet(lake.spark_uri(lake.batch_folder(contract.QUARANTINE, batch_id)))
            by_reason = {
                row["reason"]: row["count"] for row in quarantine.groupBy("reason").count().collect()
            }
            info.update(rows_read=rows_read, quarantined=sum(by_reason.values()))
        candidates = rows_read - sum(by_reason.values())
        report = QualityReport(batch_id, inputs, rows_read, candidates, 0, by_reason)
        # one shuffle by day serves the deduplication (a day's copies of a row meet in one task) and
        # the write: each day is written by one task, so one file per day instead of one per task
        written = Observation(f"written-{batch_id}")
        events = clean.deduplicate(clean.valid_events(validated).repartition("event_date")).observe(
            # the days as one string: PySpark 3.5 returns an observed array as an unconverted Java object
            written,
            F.count(F.lit(1)).alias("rows"),
            F.concat_ws(",", F.collect_set(F.col("event_date").cast("string"))).alias("days"),
        )
        if report.quarantined_share <= max_quarantine_share:
            with stage(f"clean[{batch_id}] write events") as info:
                write_partitioned(events, contract.EVENTS, lake)
                report.event_dates = _observed_days(written)
                report.rows_valid = _count_partitions(spark, lake, contract.EVENTS, report.event_dates)
                info.update(rows=report.rows_valid, days=len(report.event_dates))
        else:
            events.count()
            report.rows_valid = written.get["rows"]
            report.event_dates = _observed_days(written)
        # from what the dedup step let through, so check_accounting compares it with what is stored
        report.duplicates_removed = candidates - written.get["rows"]
    finally:
        raw.unpersist()
    write_quality_report(spark, lake, report)
    log.info("\n%s", format_report(report))
    check_accounting(report)
    check_quarantine_share(report, max_quarantine_share)
    return report


def _observed_days(observation: Observation) -> list[str]:
    return sorted(day for day in observation.get["days"].split(",") if day)


def _count_partitions(spark: SparkSession, lake: Lake, table: contract.Table, values: list[str]) -> int:
    """Rows now stored in the given partitions (a Parquet metadata read, no data scan)."""
    if not values:
        return 0
    stored = spark.read.parquet(lake.spark_uri(lake.table_path(table)))
    return stored.where(F.col(table.partition_column).cast("string").isin(values)).count()


def write_quality_report(spark: SparkSession, lake: Lake, report: QualityReport) -> None:
    """The report as JSON (for people and Kestra) and as rows of the data_quality table."""
    lake_io.write_text_atomically(
        lake.spark_uri(lake.dq_report_path(report.batch_id)), json.dumps(report.to_dict(), indent=2)
    )
    rows = [(report.batch_id, outcome, reason, count) for outcome, reason, count in report.outcome_rows()]
    frame = spark.createDataFrame(rows, "batch_id string, outcome string, reason string, row_count bigint")
    frame = frame.withColumn(
        "checked_at", F.to_timestamp(F.lit(report.checked_at), "yyyy-MM-dd'T'HH:mm:ss'Z'")
    )
    write_batch(conform(frame, contract.DATA_QUALITY), contract.DATA_QUALITY, lake, report.batch_id)


def read_events(
    spark: SparkSession,
    lake: Lake,
    months: list[str] | None = None,
    margin_days: int = 0,
    days: list[str] | None = None,
) -> DataFrame:
    """Clean events, optionally only for some months (plus `margin_days` on each side) or some days."""
    path = lake.spark_uri(lake.table_path(contract.EVENTS))
    if not lake_io.exists(path):
        raise InputError(f"no clean events at {path}: run the clean step first")
    events = spark.read.parquet(path)
    if months:
        condition = None
        for month in months:
            first, after = month_bounds(month)
            within = F.col("event_date").between(
                first - timedelta(days=margin_days), after + timedelta(days=margin_days - 1)
            )
            condition = within if condition is None else condition | within
        events = events.where(condition)
    if days:
        events = events.where(F.col("event_date").cast("string").isin(sorted(set(days))))
    return events


def _drop_emptied_session_days(
    spark: SparkSession, lake: Lake, months: list[str], written: list[str]
) -> None:
    """Remove session days of the months that no session starts on any more (`written`: the days kept).

    A partition overwrite replaces only the days the new rows fall on: when more events arrive
    (a stream's later files) a session's start can move to an earlier day, and a day left with no
    session would keep its stale rows.
    """
    table_uri = lake.spark_uri(lake.table_path(contract.SESSIONS))
    for day in lake_io.list_partition_values(table_uri, "session_date"):
        if day[:7] in months and day not in written:
            lake_io.delete(f"{table_uri}/session_date={day}")


# the marts one day's events determine completely (a day partition depends on that day only)
DAILY_MARTS = tuple(table for table in contract.MARTS if table.partition_column == "event_date")


def build_marts(
    spark: SparkSession,
    lake: Lake,
    months: list[str] | None = None,
    timings: dict | None = None,
    days: list[str] | None = None,
) -> dict[str, int]:
    """Compute every mart from the clean events and replace the partitions it covers.

    `timings`, when given, receives each mart's wall seconds (the benchmark reads them).

    With `days` (`YYYY-MM-DD`), only the daily marts (partitioned by event_date) are recomputed, and
    only for those days: what a micro-batch of `stream` or `marts --day` refreshes.

    With `months`, only those months are recomputed; sessions read one extra day on each side so a
    session crossing midnight at a month boundary stays one row, then keep only sessions that start in
    the requested months.
    """
    if months and days:
        raise ValueError("build_marts: give months or days, not both")
    months = sorted(set(months or []))
    with contextlib.ExitStack() as locks:
        # per month, in order (two runs taking the same months cannot deadlock); all months: one name
        lock_months = months or sorted({day[:7] for day in days or []})
        for name in [f"marts-{month}" for month in lock_months] or ["marts-all"]:
            locks.enter_context(lake_lock(lake, name))
        return _build_marts_locked(spark, lake, months, timings, days)


def _build_marts_locked(
    spark: SparkSession, lake: Lake, months: list[str], timings: dict | None, days: list[str] | None
) -> dict[str, int]:
    events = read_events(spark, lake, months, days=days)
    rows: dict[str, int] = {}
    for table in DAILY_MARTS if days else contract.MARTS:
        started = time.perf_counter()
        with stage(f"marts {table.name}") as info:
            source = events
            if table is contract.SESSIONS and months:
                source = read_events(spark, lake, months, margin_days=1)
            if table is contract.LIVE_TRAFFIC:  # the lake's newest days, whatever months were asked
                source = live_window.window_events(spark, lake)
            mart = marts.BUILDERS[table.name](source)
            if table is contract.SESSIONS and months:
                mart = mart.where(F.date_format("session_date", "yyyy-MM").isin(months))
                # the session days written, to remove the days no session starts on any more
                written = Observation(f"session-days-{uuid.uuid4().hex[:8]}")
                mart = mart.observe(
                    written,
                    F.concat_ws(",", F.collect_set(F.col("session_date").cast("string"))).alias("days"),
                )
            # one shuffle of the (small) mart rows by partition: one file per day or month instead
            # of one per task and partition, and no faster or slower to write (README, Performance)
            write_partitioned(mart.repartition(table.partition_column), table, lake)
            if table is contract.SESSIONS and months:
                _drop_emptied_session_days(spark, lake, months, _observed_days(written))
            if table is contract.LIVE_TRAFFIC:
                live_window.drop_days_before_window(spark, lake)
            rows[table.name] = spark.read.parquet(lake.spark_uri(lake.table_path(table))).count()
            info.update(rows_stored=rows[table.name])
        if timings is not None:
            timings[table.name] = time.perf_counter() - started
    return rows
