"""`stream`: one Structured Streaming query over the landing zone, applied one micro-batch at a time.

The query's source lists landed files (Spark's binaryFile source with the content column pruned, so
only paths are read); its foreachBatch sink hands each micro-batch's paths to `apply_micro_batch`,
which reads and cleans them with the batch readers and clean.py. Reading the files in the sink, not
in the source, is what lets one bad file (a truncated .gz) be refused while the stream keeps running.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from pyspark.errors import StreamingQueryException
from pyspark.sql import SparkSession

from spark_jobs import lake_io
from spark_jobs.errors import UserError
from spark_jobs.jobs import build_marts
from spark_jobs.lake import Lake
from spark_jobs.locks import lake_lock
from spark_jobs.streaming import landing
from spark_jobs.streaming.ledger import Ledger, checkpoint_path
from spark_jobs.streaming.micro_batch import apply_micro_batch
from spark_jobs.vacuum import vacuum

log = logging.getLogger("spark_jobs.stream")

AVAILABLE_NOW = "available-now"
BINARY_FILE_SCHEMA = "path string, modificationTime timestamp, length bigint, content binary"
# micro-batches and `compact` replace clean-event days: they take this lock in turn
EVENTS_LOCK = "clean-events"
RECOVERY = "`python -m spark_jobs stream --from-scratch` rebuilds it from the landing zone"


class CheckpointError(UserError):
    """The stream's checkpoint is missing or unreadable."""


def parse_trigger(text: str) -> str | None:
    """None for available-now, else Spark's processing-time interval ("10 seconds")."""
    if text == AVAILABLE_NOW:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*(seconds?|s)\s*", text)
    if not match or int(match.group(1)) < 1:
        raise UserError(f"--trigger {text!r}: expected available-now or '<N> seconds', e.g. '10 seconds'")
    return f"{int(match.group(1))} seconds"


def parse_duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*(second|minute|hour|day)s?\s*", text)
    if not match:
        raise UserError(f"--lateness {text!r}: expected '<N> days|hours|minutes|seconds', e.g. '2 days'")
    return timedelta(**{match.group(2) + "s": int(match.group(1))})


@dataclass
class _Runner:
    """The foreachBatch sink and what the main thread needs to know about it."""

    spark: SparkSession
    lake: Lake
    ledger: Ledger
    lateness: timedelta
    months_every: float
    stop_requested: bool = False
    in_batch: bool = False
    batches_entered: int = 0
    failure: BaseException | None = None
    records: list[dict] = field(default_factory=list)
    last_months_pass: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_batch(self, frame, number: int) -> None:
        self.in_batch = True
        self.batches_entered += 1
        try:
            if self.stop_requested:  # raised, so Spark does not commit it: the batch runs after the restart
                raise _StopRequested()
            paths = [row["path"] for row in frame.select("path").collect()]
            with lake_lock(self.lake, EVENTS_LOCK, wait_seconds=3600):
                record = apply_micro_batch(self.spark, self.lake, self.ledger, number, paths, self.lateness)
                if record is not None:
                    self.records.append(record)
                if time.monotonic() - self.last_months_pass >= self.months_every:
                    self.monthly_pass()
        except BaseException as error:
            if not isinstance(error, _StopRequested):
                self.failure = error
            raise
        finally:
            self.in_batch = False

    def monthly_pass(self) -> None:
        """Monthly marts and sessions for the months the micro-batches touched since the last pass."""
        state = self.ledger.state()
        if state.get("pending_months"):
            log.info("monthly marts and sessions for %s", ", ".join(state["pending_months"]))
            build_marts(self.spark, self.lake, months=state["pending_months"])
            state["pending_months"] = []
            self.ledger.write_state(state)
        self.last_months_pass = time.monotonic()


class _StopRequested(Exception):
    pass


def _check_checkpoint(spark: SparkSession, lake: Lake, ledger: Ledger) -> None:
    checkpoint = lake.spark_uri(checkpoint_path(lake))
    if ledger.started() and not lake_io.exists(checkpoint + "/offsets"):
        raise CheckpointError(
            f"the stream's checkpoint {checkpoint} is missing but this lake has streamed data; {RECOVERY}"
        )


def _forget(spark: SparkSession, lake: Lake, ledger: Ledger) -> None:
    """What `--from-scratch` removes: the checkpoint, the ledger and the stream's per-batch outputs."""
    log.info("from scratch: removing the stream's checkpoint, ledger, quarantine and data-quality batches")
    lake_io.delete(lake.spark_uri(checkpoint_path(lake)))
    ledger.forget()
    for pattern in (
        "quarantine/batch_id=stream-*",
        "quality/data_quality/stream-*",
        "quality/reports/stream-*",
    ):
        lake_io.delete_matching(lake.spark_uri(lake.path(pattern)))


def run_stream(
    spark: SparkSession,
    lake: Lake,
    landing_path: str | None = None,
    trigger: str = AVAILABLE_NOW,
    max_files_per_batch: int | None = None,
    lateness: str = "2 days",
    from_scratch: bool = False,
    months_every_seconds: float = 900,
) -> list[dict]:
    """Run the stream until the landing zone is drained (available-now) or it is stopped.

    Returns the records of the micro-batches applied by this run. SIGTERM / SIGINT stop it after the
    current micro-batch; the monthly marts then catch up before it returns.
    """
    interval = parse_trigger(trigger)
    window = parse_duration(lateness)
    landing_path = landing_path or lake.path("landing")
    with lake_lock(lake, "stream"):
        vacuum(lake)  # finish or remove what a killed micro-batch's writes left, before reading anything
        ledger = Ledger(spark, lake)
        if from_scratch:
            _forget(spark, lake, ledger)
        _check_checkpoint(spark, lake, ledger)
        landing_uri = lake.spark_uri(landing_path) if "://" not in landing_path else landing_path
        if not lake_io.exists(landing_uri):
            lake_io.make_folders(landing_uri)
        runner = _Runner(spark, lake, ledger, window, months_every_seconds)
        reader = (
            spark.readStream.format("binaryFile")
            .schema(BINARY_FILE_SCHEMA)
            .option("pathGlobFilter", landing.FILE_GLOB)
            .option("recursiveFileLookup", "true")
        )
        if max_files_per_batch:
            reader = reader.option("maxFilesPerTrigger", int(max_files_per_batch))
        writer = (
            reader.load(landing_uri)
            .select("path")
            .writeStream.queryName("stream")
            .foreachBatch(runner.on_batch)
            .option("checkpointLocation", lake.spark_uri(checkpoint_path(lake)))
        )
        writer = (
            writer.trigger(availableNow=True) if interval is None else writer.trigger(processingTime=interval)
        )
        log.info("stream: %s -> %s (%s)", landing_uri, lake.root, interval or AVAILABLE_NOW)
        previous = _install_stop_handlers(runner)
        try:
            try:
                query = writer.start()
            except Exception as error:
                raise _checkpoint_error(lake, error) from None
            _wait(query, runner)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        runner.monthly_pass()
        _log_totals(runner.records)
        return runner.records


def _install_stop_handlers(runner: _Runner) -> dict:
    def request_stop(number, _frame):
        log.info("%s: stopping after the current micro-batch", signal.Signals(number).name)
        runner.stop_requested = True

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGTERM, signal.SIGINT):
            previous[number] = signal.signal(number, request_stop)
    return previous


def _wait(query, runner: _Runner) -> None:
    while query.isActive:
        if runner.stop_requested and not runner.in_batch:
            query.stop()
            break
        try:
            query.awaitTermination(0.5)
        except StreamingQueryException:  # raised when the query failed; read below with exception()
            break
    error = query.exception()
    if runner.failure is not None:
        raise runner.failure
    if error is not None and not runner.stop_requested:
        if runner.batches_entered == 0:
            raise CheckpointError(
                f"the stream could not start from its checkpoint ({_first_line(error)}); {RECOVERY}"
            )
        raise UserError(f"the stream failed: {_first_line(error)}")


def _checkpoint_error(lake: Lake, error: Exception) -> CheckpointError:
    return CheckpointError(
        f"the stream's checkpoint {checkpoint_path(lake)} cannot be read ({_first_line(error)}); {RECOVERY}"
    )


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "desc", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


def _log_totals(records: list[dict]) -> None:
    totals = {
        key: sum(record[key] for record in records)
        for key in ("rows_read", "rows_valid", "duplicates_removed", "rows_quarantined")
    }
    rejected = sum(len(record["rejected_files"]) for record in records)
    log.info(
        "stream: %d micro-batches; rows read %s = valid %s + duplicates %s + quarantined %s; files refused %d",
        len(records),
        f"{totals['rows_read']:,}",
        f"{totals['rows_valid']:,}",
        f"{totals['duplicates_removed']:,}",
        f"{totals['rows_quarantined']:,}",
        rejected,
    )
