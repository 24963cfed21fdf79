"""Peak resident memory of a process and all its descendants (the Python driver and Spark's JVM).

Sampled from /proc in a background thread (Linux); elsewhere the peak is reported as None. Each
process counts its proportional set size (Pss: pages shared with other processes are split between
them). A child still running its parent's executable is a fork or vfork about to exec a helper
(the JVM starts `chmod`, `bash` and others that way): it shares the parent's memory and would count
it twice in a sample (we saw 8.9 GiB "peaks" of a 3 GiB JVM), so it is left out.
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


def _executable(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
        return 0
    except (OSError, IndexError, ValueError):
        try:  # kernels without smaps_rollup: plain RSS
            with open(f"/proc/{pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            return 0


def tree_rss_bytes(pid: int) -> int:
    """Resident bytes (Pss) of `pid` and its descendants right now (0 for processes that are gone)."""
    tree = _children(pid)
    total, pending = 0, [(pid, None)]
    while pending:
        current, parent_executable = pending.pop()
        executable = _executable(current)
        if parent_executable is not None and executable == parent_executable:
            continue  # a fork sharing its parent's pages (see the module docstring)
        total += _pss_bytes(current)
        pending.extend((child, executable) for child in tree.get(current, []))
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
