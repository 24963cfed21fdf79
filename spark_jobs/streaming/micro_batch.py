"""One micro-batch: the landed files it holds, cleaned by clean.py and merged into the lake.

Exactly-once: the quarantine and data-quality folders are owned by the batch id (replaced on a
replay); the clean events of each touched day are replaced by deduplicate(stored day + new rows),
which gives the same day whether or not a first attempt already wrote it; the ledger's prepared
record keeps the accounting right on a replay and the applied record makes a replayed batch id a no-op.

Deduplication state is the lake itself: a batch reads the stored events of exactly the days its
rows fall on, so an exact duplicate is removed however late it arrives, and the work grows with the
days touched, not with the lake. `lateness` only classifies: rows older than the newest event time
seen minus the window are counted as `late_rows` in the batch's record (they are kept).
"""

from __future__ import annotations

import logging
import os
import signal
from datetime import datetime, timedelta

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs import clean, contract, lake_io
from spark_jobs.jobs import build_marts, partition_rows, read_events, write_quality_report
from spark_jobs.lake import Lake, write_batch, write_partitioned
from spark_jobs.quality import QualityReport, check_accounting, format_report
from spark_jobs.streaming import landing
from spark_jobs.streaming.ledger import Ledger

log = logging.getLogger("spark_jobs.stream")

# Test hook for the kill tests: `<stage>:<batch number>` makes the process SIGKILL itself at that
# point of that micro-batch (stages: quarantine, prepared, events, marts, applied), a real kill at a
# chosen moment instead of a timed guess.
FAULT_ENV = "SPARK_JOBS_STREAM_FAULT"


def stream_batch_id(number: int) -> str:
    return f"stream-{number:06d}"


def _fault(stage: str, number: int) -> None:
    if os.environ.get(FAULT_ENV) == f"{stage}:{number}":
        log.warning("fault injection: SIGKILL at %s of micro-batch %d", stage, number)
        os.kill(os.getpid(), signal.SIGKILL)


def _read_landed(spark: SparkSession, files: landing.LandedFiles) -> tuple[DataFrame | None, int]:
    """The readable files' raw rows, kept for the passes below, and their count.

    When the read fails (a truncated .gz found only by decoding it), each file is probed alone, the
    ones that fail are refused with their reason, and the rest is read again.
    """
    while files.readable:
        raw = landing.read_files(spark, files.csv, files.json).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            return raw, raw.count()
        except Exception:
            raw.unpersist()
            refused = 0
            for path in list(files.readable):
                try:
                    landing.probe(spark, path)
                except landing.LandedFileError as error:
                    files.reject(path, error.reason, str(error))
                    refused += 1
            if not refused:
                raise
    return None, 0


def _merged_days(spark: SparkSession, lake: Lake, new: DataFrame, days: list[str]) -> DataFrame:
    """Stored events of the days + the new rows, deduplicated: one shuffle by day, as clean_batch."""
    events = new.select(*contract.EVENTS.column_names)
    if lake_io.exists(lake.spark_uri(lake.table_path(contract.EVENTS))):
        stored = read_events(spark, lake, days=days).select(*contract.EVENTS.column_names)
        events = stored.unionByName(events)
    return clean.deduplicate(events.repartition("event_date"))


def apply_micro_batch(
    spark: SparkSession, lake: Lake, ledger: Ledger, number: int, paths: list[str], lateness: timedelta
) -> dict | None:
    """Apply micro-batch `number` (its landed files `paths`); its record, or None when already applied."""
    batch_id = stream_batch_id(number)
    if ledger.applied(batch_id) is not None:
        log.info("micro-batch %s already applied: skipped", batch_id)
        return None
    files = landing.sort_files(spark, paths)
    raw, rows_read = _read_landed(spark, files)
    by_reason: dict[str, int] = {}
    days: list[str] = []
    late_rows = 0
    state = ledger.state()
    try:
        if raw is not None:
            validated = clean.validate(raw)
            by_reason = {
                row["reason"]: row["count"]
                for row in validated.where(F.col("reason").isNotNull()).groupBy("reason").count().collect()
            }
            quarantine_folder = lake.spark_uri(lake.batch_folder(contract.QUARANTINE, batch_id))
            if by_reason:
                write_batch(clean.quarantined_rows(validated, batch_id), contract.QUARANTINE, lake, batch_id)
            else:
                lake_io.delete(quarantine_folder)
            _fault("quarantine", number)
            new = clean.valid_events(validated)
            summary = new.agg(
                F.concat_ws(",", F.collect_set(F.col("event_date").cast("string"))).alias("days"),
                F.max("event_time").alias("newest"),
            ).first()
            days = sorted(day for day in (summary["days"] or "").split(",") if day)
            watermark = state.get("max_event_time")
            if watermark:
                cutoff = datetime.fromisoformat(watermark) - lateness
                late_rows = new.where(F.col("event_time") < F.lit(cutoff)).count()
            if summary["newest"] and (not watermark or summary["newest"].isoformat() > watermark):
                state["max_event_time"] = summary["newest"].isoformat()
        prepared = ledger.prepared(batch_id)
        if prepared is None:
            prepared = {"days": days, "rows_before": partition_rows(lake, contract.EVENTS, days)}
            ledger.write_prepared(batch_id, prepared)
        _fault("prepared", number)
        if days:
            write_partitioned(_merged_days(spark, lake, new, days), contract.EVENTS, lake)
        _fault("events", number)
        added = partition_rows(lake, contract.EVENTS, days) - prepared["rows_before"]
    finally:
        if raw is not None:
            raw.unpersist()
    candidates = rows_read - sum(by_reason.values())
    report = QualityReport(
        batch_id,
        sorted(paths),
        rows_read,
        added,
        candidates - added,
        by_reason,
        days,
        rejected_files={path: reason for path, (reason, _) in files.rejected.items()},
    )
    write_quality_report(spark, lake, report)
    log.info("\n%s", format_report(report))
    check_accounting(report)
    if days:
        build_marts(spark, lake, days=days)
    _fault("marts", number)
    state["pending_months"] = sorted(set(state.get("pending_months", [])) | set(report.months))
    ledger.write_state(state)
    record = {
        **report.to_dict(),
        "late_rows": late_rows,
        "rejected_messages": {path: message for path, (_, message) in files.rejected.items()},
    }
    ledger.write_applied(batch_id, record)
    _fault("applied", number)
    return record
