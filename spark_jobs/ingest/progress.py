"""Download progress: a bar (bytes, rate, ETA) on a terminal, periodic log lines otherwise (Kestra logs)."""

from __future__ import annotations

import io
import logging
import sys
import time

log = logging.getLogger("spark_jobs.ingest")


class Progress:
    """Counts bytes read from the source; `total` may be unknown (None) until the first response."""

    def __init__(self, label: str, *, interval_s: float = 30.0, use_bar: bool | None = None):
        self.label = label
        self.interval_s = interval_s
        self.use_bar = sys.stderr.isatty() if use_bar is None else use_bar
        self.done = 0
        self.total: int | None = None
        self._started = time.monotonic()
        self._last_log = self._started
        self._bar = None

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, count: int) -> None:
        self.done += count
        if self.use_bar:
            self._ensure_bar().update(count)
            return
        now = time.monotonic()
        if now - self._last_log >= self.interval_s:
            self._last_log = now
            log.info("%s: %s", self.label, self.describe(now))

    def describe(self, now: float | None = None, eta: bool = True) -> str:
        elapsed = max((now or time.monotonic()) - self._started, 1e-6)
        rate = self.done / elapsed
        text = f"{self.done / 1e6:,.1f} MB"
        if self.total:
            text += f" of {self.total / 1e6:,.1f} MB ({100 * self.done / self.total:.0f}%)"
        text += f", {rate / 1e6:.1f} MB/s"
        if eta and self.total and rate > 0:
            text += f", ETA {max(self.total - self.done, 0) / rate:.0f} s"
        return text

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        log.info("%s: read %s", self.label, self.describe(eta=False))

    def _ensure_bar(self):
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=self.label,
                file=sys.stderr,
            )
        return self._bar


class CountedStream(io.RawIOBase):
    """A read-only raw stream that counts the bytes it delivers into `position` and a Progress."""

    def __init__(self, progress: Progress | None = None):
        super().__init__()
        self.progress = progress
        self.position = 0

    def readable(self) -> bool:
        return True

    def _deliver(self, buffer, data: bytes) -> int:
        size = len(data)
        buffer[:size] = data
        self.position += size
        if self.progress is not None:
            self.progress.update(size)
        return size
