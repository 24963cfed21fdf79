"""Logging set-up and stage timing shared by every command."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator

log = logging.getLogger("spark_jobs")


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
        force=True,
    )
    # py4j and urllib3 are noisy at INFO
    for noisy in ("py4j", "urllib3", "google"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


_recorders: list[dict[str, float]] = []


@contextlib.contextmanager
def recording_stages() -> Iterator[dict[str, float]]:
    """Collect the seconds of every `stage` finished inside the block (name -> seconds; the bench's)."""
    seconds: dict[str, float] = {}
    _recorders.append(seconds)
    try:
        yield seconds
    finally:
        _recorders.remove(seconds)


@contextlib.contextmanager
def stage(name: str) -> Iterator[dict]:
    """Log a stage's start and end with elapsed seconds; callers put counts into the yielded dict."""
    info: dict = {}
    started = time.perf_counter()
    log.info("%s: started", name)
    yield info
    elapsed = time.perf_counter() - started
    for recorder in _recorders:
        recorder[name] = elapsed
    details = " ".join(
        f"{key}={value:,}" if isinstance(value, int) else f"{key}={value}" for key, value in info.items()
    )
    log.info("%s: done in %.1fs %s", name, elapsed, details)
