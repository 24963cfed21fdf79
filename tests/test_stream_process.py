"""`python -m spark_jobs stream` as a real process: SIGKILL mid-batch, SIGTERM, a second stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from stream_lake import assert_same_tables, batch_lake, land_csv, line, traffic_files

from spark_jobs.lake import Lake
from spark_jobs.streaming.compact import compact
from spark_jobs.streaming.micro_batch import FAULT_ENV


@pytest.fixture
def spark(classic_spark):
    """Structured Streaming runs on classic Spark only (Sail 0.7.2 has no file sink or foreachBatch)."""
    return classic_spark


def stream_process(lake_root, *arguments: str, fault: str | None = None) -> subprocess.Popen:
    env = {
        **{key: value for key, value in os.environ.items() if key != "SPARK_JOBS_ENGINE"},
        "SPARK_MASTER": "local[2]",
        "SPARK_SHUFFLE_PARTITIONS": "2",
        "SPARK_DRIVER_MEMORY": "1g",
    }
    env.pop(FAULT_ENV, None)
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "spark_jobs", "stream", "--lake", str(lake_root), *arguments],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finished(process: subprocess.Popen, timeout: float = 600) -> tuple[int, str]:
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


def applied_records(lake_root) -> list[str]:
    folder = lake_root / "_checkpoints" / "stream-ledger"
    return (
        sorted(name for name in os.listdir(folder) if name.endswith(".applied.json"))
        if folder.exists()
        else []
    )


def test_sigkill_in_a_micro_batch_then_a_restart_equals_run(spark, tmp_path):
    """Killed after a batch's events are written (no record yet), then, on the restart that replays
    it, after its record but before Spark's commit: the next restart skips the recorded batch, and
    nothing is lost or doubled. (The two kill points in one lake: each stream process starts a JVM.)"""
    files = dict(list(traffic_files().items())[:4])
    lake_root = tmp_path / "lake"
    for name, lines in files.items():
        land_csv(lake_root / "landing", name, lines)
    for fault in ("events:1", "applied:1"):
        code, output = finished(stream_process(lake_root, "--max-files-per-batch", "2", fault=fault))
        assert code == -signal.SIGKILL, output
    code, output = finished(stream_process(lake_root, "--max-files-per-batch", "2"))
    assert code == 0, output
    assert "micro-batch stream-000001 already applied: skipped" in output
    assert applied_records(lake_root) == ["stream-000000.applied.json", "stream-000001.applied.json"]
    lake = Lake(str(lake_root))
    compact(spark, lake, months=["2019-10"])
    assert_same_tables(spark, lake, batch_lake(spark, tmp_path, files))


def test_sigterm_stops_after_the_micro_batch_and_a_second_stream_is_refused(tmp_path):
    lake_root = tmp_path / "lake"
    land_csv(lake_root / "landing", "first.csv", [line()])
    running = stream_process(lake_root, "--trigger", "1 seconds")
    deadline = time.monotonic() + 300
    while not applied_records(lake_root):
        assert running.poll() is None and time.monotonic() < deadline, running.communicate()[0]
        time.sleep(0.5)
    code, output = finished(stream_process(lake_root))
    assert code == 1 and "stream failed: stream is locked by another run" in output, output
    land_csv(lake_root / "landing", "second.csv", [line(user_id="2")])
    while len(applied_records(lake_root)) < 2:
        assert running.poll() is None and time.monotonic() < deadline, running.communicate()[0]
        time.sleep(0.5)
    running.send_signal(signal.SIGTERM)
    code, output = finished(running)
    assert code == 0, output
    assert "SIGTERM: stopping after the current micro-batch" in output
    assert "stream: 2 micro-batches; rows read 2 = valid 2" in output
