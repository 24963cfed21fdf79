"""The lake's commit protocol: stage a write, then swap in exactly the folders written.

Spark (either engine) writes the frame into a run folder outside every table,
`<lake>/_staging/<table path>/<run id>/data/`, which no reader of a table glob can see (Sail ignores
`partitionOverwriteMode=dynamic` and would delete the whole table, so Spark never overwrites a table
folder itself). Then, per run folder:

1. `_owner.json` (host, pid, start) is written first, so a sweep can tell a live run from a dead one.
2. After Spark's write: `_commit.json` lists each staged folder and its data file names. From here on
   the write is decided: any run that finds this record finishes it (rolls forward).
3. Per folder: the current one (if any) is moved aside into `<run>/_old/`, the staged one into its
   place. Locally both are one rename each, so a reader sees the old folder, briefly none, or the new
   one. On gs:// a move is copies then deletes; a folder is known to be swapped when it holds exactly
   the data files the record names (Spark's file names carry the write's unique id), which is how a
   killed swap is recognised and finished without ever moving the new files aside.
4. The run folder is deleted, the record last.

Folders not in the frame are never touched; an empty frame replaces nothing (and says so in the log).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid

from spark_jobs import lake_io

log = logging.getLogger("spark_jobs.commit")

STAGING = "_staging"
OWNER = "_owner.json"
RECORD = "_commit.json"
# A run on another host cannot be asked whether it lives: its run folder counts as dead once untouched
# for this long (a month's clean step takes minutes; on Dataproc well under an hour).
FOREIGN_RUN_AGE_S = 6 * 3600


def new_run_folder(lake_root: str, table_path: str) -> str:
    """A fresh run folder for one write into `table_path`, with its owner recorded."""
    run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]
    folder = "/".join([lake_root, STAGING, table_path, run_id])
    owner = {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}
    lake_io.write_text_atomically(f"{folder}/{OWNER}", json.dumps(owner))
    return folder


def staged_data(run_folder: str) -> str:
    return f"{run_folder}/data"


def commit(run_folder: str, table_uri: str, folders: list[str] | None = None) -> list[str]:
    """Swap the staged folders of `run_folder` into `table_uri`; return the names swapped.

    `folders`: which staged folders to swap (default: every `<column>=<value>` folder staged).
    """
    data = staged_data(run_folder)
    if folders is None:
        folders = sorted(entry.uri.rsplit("/", 1)[-1] for entry in lake_io.list_entries(data) if entry.is_dir)
    record = {
        "table": table_uri,
        "folders": {name: sorted(lake_io.data_files(f"{data}/{name}")) for name in folders},
    }
    if not folders:
        log.info("%s: the write produced no rows; no partition replaced", table_uri)
    lake_io.write_text_atomically(f"{run_folder}/{RECORD}", json.dumps(record))
    finish(run_folder)
    return folders


def finish(run_folder: str) -> None:
    """Complete the swap a record describes (idempotent), then remove the run folder."""
    record = json.loads(lake_io.read_text(f"{run_folder}/{RECORD}"))
    table_uri = record["table"]
    for name, files in record["folders"].items():
        _swap(f"{staged_data(run_folder)}/{name}", f"{table_uri}/{name}", f"{run_folder}/_old/{name}", files)
    remove_run_folder(run_folder)


def _swap(staged: str, target: str, aside: str, files: list[str]) -> None:
    if sorted(lake_io.data_files(target)) == files and lake_io.exists(target):
        return  # already swapped (a killed run got this far)
    if lake_io.exists(target):
        lake_io.move_folder(target, aside)
    if lake_io.exists(staged):  # an engine may write no folder at all for an empty frame
        lake_io.move_folder(staged, target)


def remove_run_folder(run_folder: str) -> None:
    # the owner last: a sweep that finds a folder with an owner but no record deletes what is left
    for name in ("data", "_old", RECORD, OWNER):
        lake_io.delete(f"{run_folder}/{name}")
    lake_io.delete(run_folder)


def run_is_live(run_folder: str, now: float | None = None) -> bool:
    """Whether the run that owns `run_folder` may still be working on it.

    Same host: its pid is alive (and was started before the folder). Another host: the folder is
    younger than FOREIGN_RUN_AGE_S. A folder without an owner file is judged by its age alone.
    """
    now = time.time() if now is None else now
    try:
        owner = json.loads(lake_io.read_text(f"{run_folder}/{OWNER}"))
    except (FileNotFoundError, OSError, ValueError):
        owner = None
    if owner and owner.get("host") == socket.gethostname():
        return pid_alive(int(owner["pid"]))
    started = owner.get("started") if owner else _newest_mtime(run_folder)
    return started is None or now - started < FOREIGN_RUN_AGE_S


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _newest_mtime(folder: str) -> float | None:
    times = [entry.mtime for entry in lake_io.list_entries(folder, recursive=True) if entry.mtime]
    return max(times) if times else None


def recover(lake_root: str) -> dict[str, int]:
    """Finish or remove the run folders of dead runs under `<lake>/_staging`; live ones are left alone.

    A dead run with a commit record is rolled forward (its write was complete); one without a record
    never finished writing and is deleted. Returns counts of both.
    """
    counts = {"finished": 0, "removed": 0}
    for run_folder in run_folders(lake_root):
        if run_is_live(run_folder):
            continue
        if lake_io.exists(f"{run_folder}/{RECORD}"):
            log.warning("finishing the commit of a killed run: %s", run_folder)
            finish(run_folder)
            counts["finished"] += 1
        else:
            log.warning("removing the staging folder of a killed run: %s", run_folder)
            remove_run_folder(run_folder)
            counts["removed"] += 1
    return counts


def run_folders(lake_root: str) -> list[str]:
    """Every run folder under `<lake>/_staging/<table path>/` (a folder holding an owner or record)."""
    staging = f"{lake_root}/{STAGING}"
    runs = set()
    for entry in lake_io.list_entries(staging, recursive=True):
        name = entry.uri.rsplit("/", 1)[-1]
        if not entry.is_dir and name in (OWNER, RECORD):
            runs.add(entry.uri.rsplit("/", 1)[0])
    return sorted(runs)
