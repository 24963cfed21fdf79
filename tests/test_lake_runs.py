"""Killed and overlapping runs of the real jobs: what the next run or `vacuum` finds, and what readers see."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from test_pipeline import events_in, month_lines, write_csv

from spark_jobs import commit, contract
from spark_jobs.cli import main
from spark_jobs.jobs import build_marts, clean_batch
from spark_jobs.lake import Lake
from spark_jobs.locks import LockHeld

CHILD = str(Path(__file__).parent / "lake_child.py")
ROOT = str(Path(__file__).parent.parent)


def holding(lake: Lake, name: str) -> subprocess.Popen:
    """A real process holding `lake_lock(lake, name)` until killed."""
    holder = subprocess.Popen(
        [sys.executable, CHILD, "hold", lake.root, name], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "locked"
    return holder


def duckdb_event_count(lake: Lake) -> int:
    glob = f"{lake.table_path(contract.EVENTS)}/**/*.parquet"
    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()[0][
        0
    ]


def test_a_run_killed_while_writing_is_swept_by_vacuum_and_duckdb_reads_the_table(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    october = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10"))
    clean_batch(spark, [october], lake)
    stored = events_in(spark, lake).count()
    (tmp_path / "big").mkdir()
    bigger = write_csv(tmp_path / "big" / "2019-Oct.csv", month_lines("2019-10", days=28, users=12) * 20)
    run = subprocess.Popen(
        [sys.executable, "-m", "spark_jobs", "run", "--input", bigger, "--lake", lake.root],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": ROOT},
    )  # fmt: skip
    staging = Path(lake.root) / commit.STAGING
    try:
        # until the engine is writing the clean events into a run folder (Spark: its _temporary or
        # .spark-staging-*; Sail writes its files straight into the folder)
        while run.poll() is None and not [*staging.glob("clean/events/*/data")]:
            time.sleep(0.01)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)  # the Python driver and its JVM or Sail server
        run.wait()
    assert run.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert main(["vacuum", "--lake", lake.root]) == 0
    assert commit.run_folders(lake.root) == []
    assert not any(name.startswith((".", "_")) for name in os.listdir(lake.table_path(contract.EVENTS)))
    # killed while writing the clean events: the old ones; a little later (the marts): the new ones
    assert duckdb_event_count(lake) == events_in(spark, lake).count()
    assert events_in(spark, lake).count() in (stored, len(set(month_lines("2019-10", days=28, users=12))))


def test_a_second_run_of_the_same_month_is_refused_while_the_first_holds_the_batch(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    october = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10"))
    holder = holding(lake, "batch-2019-10")
    try:
        with pytest.raises(LockHeld, match=f"batch-2019-10 is locked by another run \\(pid {holder.pid} "):
            clean_batch(spark, [october], lake)
        assert not os.path.exists(lake.table_path(contract.EVENTS))
    finally:
        holder.kill()
        holder.wait()
    clean_batch(spark, [october], lake)  # the dead holder's lock is taken over
    assert events_in(spark, lake).count() == len(month_lines("2019-10"))


def test_marts_of_a_month_being_rebuilt_elsewhere_are_refused(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10"))], lake)
    holder = holding(lake, "marts-2019-10")
    try:
        with pytest.raises(LockHeld, match="marts-2019-10"):
            build_marts(spark, lake, ["2019-10"])
    finally:
        holder.kill()
        holder.wait()
