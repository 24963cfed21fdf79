"""lake_lock between real processes, on a local lake and on gs:// (fake-gcs-server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from servers.gcs import new_bucket

from spark_jobs.lake import Lake
from spark_jobs.locks import LockHeld, lake_lock

CHILD = str(Path(__file__).parent / "lake_child.py")
ROOT = str(Path(__file__).parent.parent)


@pytest.fixture(params=["local", "gcs"])
def lake(request, tmp_path) -> Lake:
    if request.param == "local":
        return Lake(str(tmp_path / "lake"))
    request.getfixturevalue("fake_gcs")
    return Lake(f"gs://{new_bucket('locks')}/lake")


def child(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, CHILD, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
    )  # fmt: skip


def test_a_second_process_is_refused_at_once_naming_the_holder_and_since_when(lake):
    holder = child("hold", lake.root, "batch-2019-10")
    try:
        assert holder.stdout.readline().strip() == "locked"
        answer = subprocess.run(
            [sys.executable, CHILD, "try", lake.root, "batch-2019-10", "0"], cwd=ROOT, capture_output=True,
            text=True, env={**os.environ, "PYTHONPATH": ROOT},
        ).stdout  # fmt: skip
        assert answer.startswith(f"batch-2019-10 is locked by another run (pid {holder.pid} on ")
        assert " since 20" in answer and "UTC)" in answer
        with pytest.raises(LockHeld, match=f"pid {holder.pid}"):
            with lake_lock(lake, "batch-2019-10"):
                pass
        with lake_lock(lake, "batch-2019-11"):  # another batch is free
            pass
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_holder_is_taken_over(lake):
    holder = child("hold", lake.root, "batch-2019-10")
    assert holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with lake_lock(lake, "batch-2019-10"):
        pass


def test_a_waiting_process_gets_the_lock_once_it_is_released(lake):
    with lake_lock(lake, "marts-2019-10"):
        waiter = child("try", lake.root, "marts-2019-10", "60")
        with pytest.raises(subprocess.TimeoutExpired):
            waiter.wait(timeout=1.5)
    assert waiter.stdout.read().strip() == "locked"
    assert waiter.wait() == 0


def test_the_same_thread_may_reenter_a_lock_it_holds_and_still_holds_it_after(lake):
    with lake_lock(lake, "batch-2019-10"):
        with lake_lock(lake, "batch-2019-10"):  # run_pipeline around clean_batch
            pass
        answer = subprocess.run(
            [sys.executable, CHILD, "try", lake.root, "batch-2019-10", "0"], cwd=ROOT, capture_output=True,
            text=True, env={**os.environ, "PYTHONPATH": ROOT},
        ).stdout  # fmt: skip
        assert answer.startswith(f"batch-2019-10 is locked by another run (pid {os.getpid()} ")
