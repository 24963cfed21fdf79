"""One writer per job and lake: `lake_lock(lake, name)`.

Interim local implementation written against the signature helper **lake** is adding (a lock file
locally, a generation-0 object on gs://); its version replaces this file when its branch lands. A
lock whose holder process is gone (killed, e.g. SIGKILL) on this host is taken over.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timezone

from spark_jobs.errors import UserError


class LockHeld(UserError):
    """Another process holds the lock."""


def _holder_alive(holder: dict) -> bool:
    if holder.get("host") != socket.gethostname():
        return True
    try:
        os.kill(int(holder.get("pid", 0)), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def lake_lock(lake, name: str, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the lock `name` on `lake` for the block; raise LockHeld after `wait_seconds`."""
    if lake.is_remote:
        raise UserError(f"locks on {lake.root}: remote lakes need spark_jobs.locks from the lake branch")
    folder = os.path.join(lake.root, "_locks")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.lock")
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                with open(path) as handle:
                    holder = json.loads(handle.read() or "{}")
            except (OSError, ValueError):
                holder = {}
            if holder and not _holder_alive(holder):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
                continue
            if time.monotonic() >= deadline:
                raise LockHeld(
                    f"lake {lake.root} is locked for {name!r} by process {holder.get('pid', '?')} on "
                    f"{holder.get('host', '?')} since {holder.get('since', '?')}"
                ) from None
            time.sleep(0.2)
            continue
        with os.fdopen(descriptor, "w") as handle:
            handle.write(json.dumps(me))
        break
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
