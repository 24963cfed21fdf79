"""One writer at a time per lake and name (a batch, a month's marts, the stream): `lake_lock`.

The lock is `<lake>/_locks/<name>.lock`, holding who took it (host, pid, since when):
- locally a file created with O_CREAT | O_EXCL (only one process can create it);
- on gs:// an object created with `if_generation_match=0` (only one upload of generation 0 wins),
  rewritten every HEARTBEAT_S by a thread of its holder.
A lock whose holder is dead is taken over: on the same host when its pid is gone; from another host
(or on gs:// whatever the host) when its heartbeat is older than STALE_S. Otherwise `LockHeld` (a
UserError naming the holder and since when), after waiting up to `wait_seconds`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone

from spark_jobs.commit import pid_alive
from spark_jobs.errors import UserError

log = logging.getLogger("spark_jobs.locks")

LOCKS = "_locks"
HEARTBEAT_S = 30.0
STALE_S = 300.0  # ten missed heartbeats
POLL_S = 0.5
_HELD = threading.local()  # per thread: the lock URIs it holds (run_pipeline re-enters clean_batch's)


class LockHeld(UserError):
    """Another run holds the lock."""


def _holder() -> dict:
    now = time.time()
    return {"host": socket.gethostname(), "pid": os.getpid(), "since": now, "heartbeat": now}


def describe(holder: dict) -> str:
    since = datetime.fromtimestamp(holder.get("since", 0), timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"pid {holder.get('pid')} on {holder.get('host')} since {since}"


def _is_dead(holder: dict, now: float) -> bool:
    if holder.get("host") == socket.gethostname() and "pid" in holder:
        return not pid_alive(int(holder["pid"]))
    return now - float(holder.get("heartbeat", holder.get("since", 0))) > STALE_S


def lock_uri(lake, name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.=-]+", name):
        raise ValueError(f"lock name {name!r}: letters, digits, _ . = - only")
    return lake.path(LOCKS, f"{name}.lock")


@contextlib.contextmanager
def lake_lock(lake, name: str, wait_seconds: float = 0) -> Iterator[None]:
    """Hold `<lake>/_locks/<name>.lock` for the block; wait up to `wait_seconds` for it, then LockHeld."""
    uri = lock_uri(lake, name)
    held = _HELD.__dict__.setdefault("uris", set())
    if uri in held:  # this process holds it already (run_pipeline around clean_batch)
        yield
        return
    store = _GcsLock(uri) if uri.startswith("gs://") else _LocalLock(os.path.abspath(uri))
    deadline = time.monotonic() + wait_seconds
    while True:
        holder = _holder()
        if store.create(holder):
            break
        current = store.read()
        if current is None:
            continue  # released meanwhile
        if _is_dead(current, time.time()):
            log.warning("%s: taking over the lock of a dead run (%s)", uri, describe(current))
            store.remove_if(current)
            continue
        if time.monotonic() >= deadline:
            raise LockHeld(f"{name} is locked by another run ({describe(current)}); lock {uri}")
        time.sleep(POLL_S)
    held.add(uri)
    try:
        with store.heartbeat(holder):
            yield
    finally:
        held.discard(uri)
        store.release(holder)


class _LocalLock:
    def __init__(self, path: str):
        self.path = path

    def create(self, holder: dict) -> bool:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        try:
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(descriptor, "w") as handle:
            json.dump(holder, handle)
            handle.flush()
            os.fsync(handle.fileno())
        return True

    def read(self) -> dict | None:
        try:
            with open(self.path) as handle:
                text = handle.read()
        except FileNotFoundError:
            return None
        try:
            return json.loads(text)
        except ValueError:  # being written this very moment, or cut by a crash: judge by the file's age
            try:
                return {"since": os.path.getmtime(self.path), "heartbeat": os.path.getmtime(self.path)}
            except FileNotFoundError:
                return None

    def remove_if(self, holder: dict) -> None:
        # take-over: rename first so two processes breaking the same dead lock cannot both succeed
        aside = f"{self.path}.broken-{os.getpid()}"
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        with open(aside) as handle:
            text = handle.read()
        if text and text != json.dumps({k: v for k, v in holder.items()}):
            # another process took the dead lock over first: what was moved aside is its live lock
            with contextlib.suppress(FileExistsError):
                os.link(aside, self.path)
        os.remove(aside)

    @contextlib.contextmanager
    def heartbeat(self, holder: dict) -> Iterator[None]:
        yield  # locally the holder's pid says whether it lives

    def release(self, holder: dict) -> None:
        if (self.read() or {}).get("pid") == holder["pid"]:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)


class _GcsLock:
    def __init__(self, uri: str):
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        bucket, _, self.name = uri.removeprefix("gs://").partition("/")
        emulator = os.environ.get("STORAGE_EMULATOR_HOST")
        client = (
            storage.Client(project="test", credentials=AnonymousCredentials())
            if emulator
            else storage.Client()
        )
        self.bucket = client.bucket(bucket)
        self.generation: int | None = None

    def create(self, holder: dict) -> bool:
        from google.api_core.exceptions import PreconditionFailed

        blob = self.bucket.blob(self.name)
        try:
            blob.upload_from_string(json.dumps(holder), if_generation_match=0, timeout=60)
        except PreconditionFailed:
            return False
        self.generation = blob.generation
        return True

    def read(self) -> dict | None:
        blob = self.bucket.get_blob(self.name, timeout=60)
        if blob is None:
            return None
        holder = json.loads(blob.download_as_bytes(timeout=60))
        holder["_generation"] = blob.generation
        return holder

    def remove_if(self, holder: dict) -> None:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        with contextlib.suppress(NotFound, PreconditionFailed):
            self.bucket.blob(self.name).delete(if_generation_match=holder["_generation"], timeout=60)

    @contextlib.contextmanager
    def heartbeat(self, holder: dict) -> Iterator[None]:
        from google.api_core.exceptions import GoogleAPIError

        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_S):
                blob = self.bucket.blob(self.name)
                try:
                    blob.upload_from_string(
                        json.dumps({**holder, "heartbeat": time.time()}),
                        if_generation_match=self.generation,
                        timeout=60,
                    )
                    self.generation = blob.generation
                except GoogleAPIError as error:  # taken over or unreachable: say so, keep trying
                    log.warning("gs://%s/%s: heartbeat failed: %s", self.bucket.name, self.name, error)

        thread = threading.Thread(target=beat, name="lake-lock-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def release(self, holder: dict) -> None:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        with contextlib.suppress(NotFound, PreconditionFailed):
            self.bucket.blob(self.name).delete(if_generation_match=self.generation, timeout=60)
