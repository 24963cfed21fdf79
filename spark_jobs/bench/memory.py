"""Peak resident memory of a process and all its descendants (the Python driver and Spark's JVM).

Sampled from /proc in a background thread (Linux); elsewhere the peak is reported as None.
"""

from __future__ import annotations

import os
import threading

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children(pid: int) -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc/<pid>/stat of every process."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                # the command name (field 2) may hold spaces: the parent pid follows its closing ')'
                parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(parent, []).append(int(entry))
    return tree


def tree_rss_bytes(pid: int) -> int:
    """Resident bytes of `pid` and its descendants right now (0 for processes that are gone)."""
    tree = _children(pid)
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(tree.get(current, []))
        try:
            with open(f"/proc/{current}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            pass
    return total


class PeakMemory:
    """Context manager: samples the tree's RSS every `interval` seconds; `peak_bytes` afterwards."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid = pid
        self.interval = interval
        self.peak_bytes: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        if os.path.isdir("/proc"):
            self.peak_bytes = 0
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        while True:
            self.peak_bytes = max(self.peak_bytes or 0, tree_rss_bytes(self.pid))
            if self._stop.wait(self.interval):
                return
