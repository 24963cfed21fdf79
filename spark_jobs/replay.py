"""Replay a Kaggle-format file into a landing zone as small files, in event-time order, at N x real time.

The input is read line by line (a month never sits in memory). Lines are cut into files that each
cover `file_seconds` of event time; file k (event times [t0 + k*S, t0 + (k+1)*S)) is published when
the replay clock reaches the end of its span: t0 + (k+1)*S event seconds after the start, divided by
`speed`. So 3600 plays a day in 24 s, and a stream watching the landing zone sees traffic arrive as it
would have. The Kaggle months are sorted by event_time; a line earlier than the current file's span
(out of order) goes into the current file, which is what a late-arriving event looks like, and a line
whose time cannot be read goes into the current file too (the stream quarantines it).

Each file is written under a hidden name (`.name.tmp`, which Spark and the stream ignore), then
renamed: a reader never sees half a file. Names sort in event-time order.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spark_jobs.clean import RAW_COLUMNS
from spark_jobs.errors import UserError

log = logging.getLogger("spark_jobs.replay")

HEADER = ",".join(RAW_COLUMNS)


@dataclass
class ReplayResult:
    files: int = 0
    rows: int = 0
    first_event: dt.datetime | None = None
    last_event: dt.datetime | None = None
    seconds: float = 0.0


def _open_lines(path: str) -> Iterator[str]:
    if not os.path.isfile(path):
        raise UserError(f"replay input not found: {path}")
    raw = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")  # noqa: SIM115
    with io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="") as text:
        header = text.readline().rstrip("\r\n")
        if header != HEADER:
            raise UserError(f"{path}: the first line is not the Kaggle header {HEADER!r}")
        for line in text:
            line = line.rstrip("\r\n")
            if line:
                yield line


def event_time(line: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def publish(landing: str, name: str, lines: list[str]) -> str:
    """Write `name` into `landing` under a hidden name, then rename it into place."""
    final = os.path.join(landing, name)
    hidden = os.path.join(landing, f".{name}.tmp")
    with open(hidden, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as handle:
        handle.write(HEADER + "\n")
        handle.writelines(line + "\n" for line in lines)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(hidden, final)
    return final


def replay(
    *,
    input_path: str,
    landing: str,
    speed: float,
    file_seconds: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ReplayResult:
    """Replay `input_path` into `landing`; return what was written."""
    if speed <= 0:
        raise UserError(f"--speed must be above 0, got {speed}")
    if file_seconds <= 0:
        raise UserError(f"--file-seconds must be above 0, got {file_seconds}")
    os.makedirs(landing, exist_ok=True)
    stem = os.path.basename(input_path).split(".")[0]
    result = ReplayResult()
    started = clock()
    span_end: dt.datetime | None = None
    pending: list[str] = []

    def flush() -> None:
        due = started + (span_end - result.first_event).total_seconds() / speed
        wait = due - clock()
        if wait > 0:
            sleep(wait)
        span_start = span_end - dt.timedelta(seconds=file_seconds)
        name = f"{stem}-{span_start:%Y%m%dT%H%M%S}-{result.files:06d}.csv"
        publish(landing, name, pending)
        result.files += 1
        log.debug("published %s (%s lines)", name, len(pending))

    for line in _open_lines(input_path):
        when = event_time(line)
        if when is not None:
            if result.first_event is None:
                result.first_event = when
                span_end = when + dt.timedelta(seconds=file_seconds)
            while when >= span_end:
                if pending:
                    flush()
                    pending = []
                span_end += dt.timedelta(seconds=file_seconds)
            result.last_event = max(result.last_event or when, when)
        pending.append(line)
        result.rows += 1
    if pending:
        if span_end is None:
            raise UserError(f"{input_path}: no line has a readable event_time")
        flush()
    result.seconds = clock() - started
    return result
