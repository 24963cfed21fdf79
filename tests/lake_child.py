"""Child processes for the lake tests (run as `python tests/lake_child.py COMMAND ...`), so a test can
SIGKILL a real process in the middle of a commit or while it holds a lock.

- `swap RUN_FOLDER TABLE_URI`: commit a staged run folder, printing `swapped <folder>` after each
  folder and pausing 0.3 s after each move, so the parent can kill it mid-swap.
- `hold LAKE NAME`: take `lake_lock(LAKE, NAME)`, print `locked`, then sleep until killed.
- `try LAKE NAME WAIT`: take the lock with `wait_seconds=WAIT`; print `locked` or the LockHeld message.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time

from spark_jobs import commit, lake_io
from spark_jobs.lake import Lake
from spark_jobs.locks import LockHeld, lake_lock


def swap(run_folder: str, table_uri: str) -> None:
    # the run folder was staged by the test; this process becomes its owner, as the writer would be
    owner = {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}
    lake_io.write_text_atomically(f"{run_folder}/{commit.OWNER}", json.dumps(owner))
    move = lake_io.move_folder

    def slow_move(source: str, target: str) -> None:
        move(source, target)
        print("moved", target, flush=True)
        time.sleep(0.3)

    lake_io.move_folder = slow_move
    commit.commit(run_folder, table_uri)
    print("committed", flush=True)


def main(command: str, *args: str) -> None:
    if command == "swap":
        swap(*args)
    elif command == "hold":
        with lake_lock(Lake(args[0]), args[1]):
            print("locked", flush=True)
            time.sleep(600)
    elif command == "try":
        try:
            with lake_lock(Lake(args[0]), args[1], wait_seconds=float(args[2])):
                print("locked", flush=True)
        except LockHeld as error:
            print(error, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
