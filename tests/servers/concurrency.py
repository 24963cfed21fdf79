"""Running the same call from several threads at once, collecting results and errors."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_in_threads(function: Callable[[], object], count: int = 2) -> tuple[list, list[BaseException]]:
    """Start `count` threads together (behind a barrier) and return (results, errors)."""
    results: list = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run() -> None:
        barrier.wait()
        try:
            results.append(function())
        except Exception as error:  # returned to the test
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
