"""Jobs: wire read -> transform -> write. The transforms live in clean.py and the marts package."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from datetime import date, timedelta

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs import clean, commit, contract, lake_io, live_window, marts, raw_input
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake, batch_id_for, write_batch, write_partitioned
from spark_jobs.lake_read import read_table
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


def read_raw(spark: SparkSession, parts: list[str]) -> DataFrame:
    """Raw Parquet parts (`clean.RAW_SCHEMA`: 9 strings, `_corrupt_record`, `source_file`, `row_id`).

    The one raw reader: the ingest step writes these parts, and a CSV given directly is converted
    into them first (`raw_input.stage_csv_inputs`), so no file metadata or generated id is needed.
    """
    return spark.read.schema(clean.RAW_SCHEMA).parquet(*parts)


def clean_batch(
    spark: SparkSession,
    inputs: list[str],
    lake: Lake,
    batch_id: str | None = None,
    max_quarantine_share: float = 0.01,
) -> QualityReport:
    """Clean one batch of raw files into the lake; return its checked data-quality report.

    Two passes over the raw rows: the first writes the quarantine, the second the clean events
    (counted afterwards in the partitions the write replaced); the rows read are counted from the
    parts' metadata. Above the
    quarantine limit the second pass only counts: the quarantine and the report are written, no
    clean events are published, and QualityError is raised. CSV inputs are first converted into raw
    Parquet parts in the lake's staging folder (removed afterwards), exactly as ingest would store them.
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
    staged = (
        raw_input.stage_csv_inputs(inputs, lake, batch_id) if raw_format(spark, inputs) == "csv" else None
    )
    raw = read_raw(spark, staged.inputs if staged else inputs)
    try:
        validated = clean.validate(raw)
        with stage(f"clean[{batch_id}] quarantine") as info:
            # rows read: from the Parquet parts' metadata, not from a counter inside
            # the pass, which would stop Spark's generated code at the counter and cost a second pass
            rows_read = raw.count()
            if not rows_read:
                raise InputError(f"{', '.join(inputs)}: no data rows (nothing to clean)")
            write_batch(clean.quarantined_rows(validated, batch_id), contract.QUARANTINE, lake, batch_id)
            quarantine = read_table(spark, lake, contract.QUARANTINE).where(F.col("batch_id") == batch_id)
            by_reason = {
                row["reason"]: row["count"] for row in quarantine.groupBy("reason").count().collect()
            }
            info.update(rows_read=rows_read, quarantined=sum(by_reason.values()))
        candidates = rows_read - sum(by_reason.values())
        report = QualityReport(batch_id, inputs, rows_read, candidates, 0, by_reason)
        # one shuffle by day serves the deduplication (a day's copies of a row meet in one task) and
        # the write: each day is written by one task, so one file per day instead of one per task
        events = clean.deduplicate(clean.valid_events(validated).repartition("event_date"))
        if report.quarantined_share <= max_quarantine_share:
            with stage(f"clean[{batch_id}] write events") as info:
                # what was written is counted from the partitions the write replaced (their Parquet
                # metadata), not observed during the write: Sail has no DataFrame.observe
                report.event_dates = sorted(write_partitioned(events, contract.EVENTS, lake))
                report.rows_valid = partition_rows(lake, contract.EVENTS, report.event_dates)
                info.update(rows=report.rows_valid, days=len(report.event_dates))
        else:
            # nothing is published: one aggregation over the deduplicated events counts them by day
            by_day = {
                str(row["event_date"]): row["count"] for row in events.groupBy("event_date").count().collect()
            }
            report.event_dates = sorted(by_day)
            report.rows_valid = sum(by_day.values())
        # what the dedup step let through, so check_accounting compares the stored rows with the rest
        report.duplicates_removed = candidates - report.rows_valid
    finally:
        if staged:
            staged.remove()
    write_quality_report(spark, lake, report)
    log.info("\n%s", format_report(report))
    check_accounting(report)
    check_quarantine_share(report, max_quarantine_share)
    return report


def partition_rows(lake: Lake, table: contract.Table, values: list[str]) -> int:
    """Rows now stored in the given partitions, from their Parquet footers (no Spark job)."""
    uri = lake.spark_uri(lake.table_path(table))
    return sum(lake_io.parquet_rows(f"{uri}/{table.partition_column}={value}") for value in values)


def stored_rows(lake: Lake, table: contract.Table) -> int:
    """Rows stored in a table; 0 when it has no data file yet (an empty write creates none)."""
    return lake_io.parquet_rows(lake.spark_uri(lake.table_path(table)))


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


def read_ranges(months: list[str], margin_days: int = 0) -> list[tuple[date, date]]:
    """Per month, the days read: [first day - margin, first day of the next month + margin)."""
    ranges = []
    for month in months:
        first, after = month_bounds(month)
        ranges.append((first - timedelta(days=margin_days), after + timedelta(days=margin_days)))
    return ranges


def _within(column: str, ranges: list[tuple[date, date]]):
    condition = F.lit(False)
    for start, end in ranges:
        condition = condition | ((F.col(column) >= F.lit(start)) & (F.col(column) < F.lit(end)))
    return condition


def read_events(
    spark: SparkSession,
    lake: Lake,
    months: list[str] | None = None,
    margin_days: int = 0,
    days: list[str] | None = None,
) -> DataFrame:
    """Clean events, optionally only for some months (plus `margin_days` on each side) or some days."""
    path = lake.spark_uri(lake.table_path(contract.EVENTS))
    if lake_io.first_data_file(path) is None:  # none written yet, or every batch was empty
        raise InputError(f"no clean events at {path}: run the clean step first")
    events = read_table(spark, lake, contract.EVENTS)
    if months:
        events = events.where(_within("event_date", read_ranges(months, margin_days)))
    if days:
        events = events.where(F.col("event_date").cast("string").isin(sorted(set(days))))
    return events


def margin_days(table: contract.Table, options: marts.MartOptions) -> int:
    """Days a mart recomputed for some months reads on each side of them (contract.READ_MARGINS)."""
    if table.read_margin == "session":
        return max(1, -(-options.session_gap_minutes // (24 * 60)))
    if table.read_margin == "window":
        return -(-options.funnel_window_hours // 24)
    return 0


def kept_ranges(
    table: contract.Table, months: list[str], options: marts.MartOptions
) -> list[tuple[date, date]]:
    """The partitions a recompute of `months` replaces: the months, and for a window mart also the
    previous month's last days whose window reaches into them."""
    before = timedelta(days=margin_days(table, options) if table.read_margin == "window" else 0)
    return [(first - before, after) for first, after in map(month_bounds, months)]


def mart_source(
    spark: SparkSession, lake: Lake, table: contract.Table, months: list[str], options: marts.MartOptions
) -> DataFrame:
    """The clean events a mart needs to recompute `months` (every event when `months` is empty).

    Session marts also get the earlier events of the sessions they see, so a session's parts are
    numbered from its first event whichever months are recomputed (a full rebuild gives the same ids).
    """
    days = margin_days(table, options)
    events = read_events(spark, lake, months, margin_days=days)
    if not months or table.read_margin != "session":
        return events
    ranges = read_ranges(months, days)
    earlier = read_events(spark, lake).where(
        ~_within("event_date", ranges) & (F.col("event_date") < F.lit(max(end for _, end in ranges)))
    )
    seen = events.select("user_session").distinct()
    return events.unionByName(earlier.join(seen, "user_session", "left_semi"))


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
    options: marts.MartOptions = marts.DEFAULT_OPTIONS,
    days: list[str] | None = None,
) -> dict[str, int]:
    """Compute every mart from the clean events and replace the partitions it covers.

    `timings`, when given, receives each mart's wall seconds (the benchmark reads them). `options`
    holds the session gap and the conversion window.

    With `days` (`YYYY-MM-DD`), only the daily marts (partitioned by event_date) are recomputed, and
    only for those days: what a micro-batch of `stream` or `marts --day` refreshes.

    With `months`, only those months are recomputed, each mart reading what its contract's
    `read_margin` says: session marts one day on each side (a session crossing midnight at a month
    boundary stays one row) and the earlier events of their sessions, keeping the sessions that start
    in the months; window marts the conversion window on each side, replacing the months' days and
    the previous month's last days whose window reaches into them.
    """
    if months and days:
        raise ValueError("build_marts: give months or days, not both")
    months = sorted(set(months or []))
    with contextlib.ExitStack() as locks:
        # per month, in order (two runs taking the same months cannot deadlock); all months: one name
        locked = months or sorted({day[:7] for day in days or []})
        for name in [f"marts-{month}" for month in locked] or ["marts-all"]:
            locks.enter_context(lake_lock(lake, name))
        return _build_marts_locked(spark, lake, months, timings, options, days)


@contextlib.contextmanager
def staged_session_split(
    spark: SparkSession, lake: Lake, months: list[str], options: marts.MartOptions, timings: dict | None
):
    """The events the session marts read, with session_id, split once and staged as Parquet.

    Five marts count split sessions (marts.SPLIT_SESSION_MARTS); each would split them again, a window
    over user_session ordered by event_time, i.e. a sort of every event. The split is written once into
    a run folder under `_staging` (no reader of the lake sees it; `vacuum` removes a killed run's) and
    read by those marts. The events are what the session margin reads (`mart_source` of `sessions`):
    the funnel marts take their months from it, and within a run of whole days a user_session's
    parts are the same whatever lies outside it, so their distinct session counts are unchanged.
    Yields None when the months have no events (the marts then read their own, empty, sources).
    """
    started = time.perf_counter()
    run_folder = commit.new_run_folder(lake.spark_uri(lake.root), "session-split")
    try:
        with stage("marts session split"):
            source = mart_source(spark, lake, contract.SESSIONS, months, options).select(
                *marts.SPLIT_SESSION_COLUMNS
            )
            data = commit.staged_data(run_folder)
            marts.with_session_ids(source, options.session_gap_minutes).write.mode("overwrite").parquet(data)
        if timings is not None:
            timings["session split"] = time.perf_counter() - started
        yield spark.read.parquet(data) if lake_io.first_data_file(data) else None
    finally:
        commit.remove_run_folder(run_folder)


def _session_marts_source(split: DataFrame, table: contract.Table, months: list[str], options) -> DataFrame:
    """What `mart_source` gives `table`, taken from the staged split (see staged_session_split)."""
    if not months or table.read_margin == "session":
        return split
    return split.where(_within("event_date", read_ranges(months, margin_days(table, options))))


def _events_for(spark, lake, table, months, options, days, split: DataFrame | None) -> DataFrame:
    """The events `table`'s builder gets in this run."""
    if table is contract.LIVE_TRAFFIC:  # the lake's newest days, whatever months or days were asked
        return live_window.window_events(spark, lake)
    if days:  # a daily mart's day depends on that day's events only
        return read_events(spark, lake, days=days)
    if split is not None and table.name in marts.SPLIT_SESSION_MARTS:
        return _session_marts_source(split, table, months, options)
    return mart_source(spark, lake, table, months, options)


def _build_marts_locked(
    spark: SparkSession,
    lake: Lake,
    months: list[str],
    timings: dict | None,
    options: marts.MartOptions,
    days: list[str] | None,
) -> dict[str, int]:
    # a day's marts hold one session mart (funnel_daily): nothing to share
    shared_split = (
        contextlib.nullcontext() if days else staged_session_split(spark, lake, months, options, timings)
    )
    with shared_split as split:
        rows: dict[str, int] = {}
        for table in DAILY_MARTS if days else contract.MARTS:
            started = time.perf_counter()
            with stage(f"marts {table.name}") as info:
                source = _events_for(spark, lake, table, months, options, days, split)
                mart = marts.BUILDERS[table.name](source, options)
                if months and table is not contract.LIVE_TRAFFIC:
                    mart = mart.where(_within(table.partition_column, kept_ranges(table, months, options)))
                # one shuffle of the (small) mart rows by partition: one file per day or month instead
                # of one per task and partition, and no faster or slower to write (README, Performance)
                written = write_partitioned(mart.repartition(table.partition_column), table, lake)
                if table is contract.SESSIONS and months:
                    _drop_emptied_session_days(spark, lake, months, written)
                if table is contract.LIVE_TRAFFIC:
                    live_window.drop_days_before_window(spark, lake)
                rows[table.name] = stored_rows(lake, table)
                info.update(rows_stored=rows[table.name])
            if timings is not None:
                timings[table.name] = time.perf_counter() - started
        return rows
