"""Publishing a month to `gs://BUCKET/PREFIX/year=YYYY/month=MM/` so readers never see half of it.

1. Parts are uploaded (resumable, crc32c-checked by the client, then compared with the local
   checksums) under `PREFIX/_tmp/ingest-<run>/`, which Spark ignores.
2. A lock object `PREFIX/_tmp/locks/year=YYYY-month=MM.lock` is created with `if_generation_match=0`:
   only one run can hold it; others wait, then find the month published and keep it.
3. Holding the lock: the old month (if --force or incomplete) is removed manifest first, parts are
   copied server-side to their final names with `if_generation_match=0`, and the manifest is written
   last - its presence means the month is complete. On an error the objects this run created under
   the final prefix are deleted again; temporary objects are always deleted.
A lock left by a killed run is taken over once it is older than `lock_stale_s`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

from spark_jobs.errors import UserError
from spark_jobs.ingest.manifest import MANIFEST_NAME, dumps, loads
from spark_jobs.ingest.store import CONCURRENT, PUBLISHED, manifest_mismatch, month_folder, visible_name

log = logging.getLogger("spark_jobs.ingest")

UPLOAD_CHUNK_BYTES = 16 * 1024 * 1024  # resumable upload in chunks of this size
TIMEOUT_S = 120


class GcsStore:
    def __init__(self, uri: str, *, client=None, lock_stale_s: float = 900.0, lock_poll_s: float = 1.0):
        from google.cloud import storage

        bucket, _, prefix = uri.removeprefix("gs://").partition("/")
        if not bucket:
            raise UserError(f"--dest {uri}: expected gs://BUCKET/PREFIX")
        self.client = client or storage.Client()
        self.bucket = self.client.bucket(bucket)
        self.prefix = prefix.strip("/")
        self.lock_stale_s = lock_stale_s
        self.lock_poll_s = lock_poll_s

    def _name(self, *parts: str) -> str:
        return "/".join(part for part in (self.prefix, *parts) if part)

    def month_prefix(self, year: int, month: int) -> str:
        return self._name(*month_folder(year, month)) + "/"

    def month_uri(self, year: int, month: int) -> str:
        return f"gs://{self.bucket.name}/{self.month_prefix(year, month).rstrip('/')}"

    def valid_manifest(self, year: int, month: int) -> dict | None:
        """The manifest if the prefix holds exactly the listed parts with matching md5/crc32c/size."""
        prefix = self.month_prefix(year, month)
        blob = self.bucket.get_blob(prefix + MANIFEST_NAME, timeout=TIMEOUT_S)
        if blob is None:
            return None
        manifest = loads(blob.download_as_bytes(timeout=TIMEOUT_S), self.month_uri(year, month))
        if manifest is None:
            return None
        stored = {
            item.name[len(prefix) :]: {"bytes": item.size, "md5": item.md5_hash, "crc32c": item.crc32c}
            for item in self.client.list_blobs(self.bucket, prefix=prefix, timeout=TIMEOUT_S)
            if visible_name(item.name[len(prefix) :])
        }
        problem = manifest_mismatch(manifest, stored)
        if problem:
            log.warning("%s: %s; the month will be ingested again", self.month_uri(year, month), problem)
            return None
        return manifest

    @contextlib.contextmanager
    def staging(self, year: int, month: int) -> Iterator[str]:
        """A local scratch folder for the parts before upload."""
        with tempfile.TemporaryDirectory(prefix=f"ingest-{year:04d}-{month:02d}-") as folder:
            yield folder

    def publish(self, staging: str, year: int, month: int, manifest: dict, *, replace: bool) -> str:
        temp_prefix = self._name("_tmp", f"ingest-{uuid.uuid4().hex}", *month_folder(year, month)) + "/"
        temp_blobs = []
        try:
            for entry in manifest["parts"]:
                temp_blobs.append(self._upload_part(os.path.join(staging, entry["name"]), temp_prefix, entry))
            with self._lock(year, month):
                if not replace and self.valid_manifest(year, month) is not None:
                    return CONCURRENT
                self._remove_month(year, month)
                self._copy_into_place(temp_blobs, year, month, manifest)
            return PUBLISHED
        finally:
            for blob in temp_blobs:
                with contextlib.suppress(Exception):
                    blob.delete(timeout=TIMEOUT_S)

    def _upload_part(self, path: str, temp_prefix: str, entry: dict):
        blob = self.bucket.blob(temp_prefix + entry["name"], chunk_size=UPLOAD_CHUNK_BYTES)
        blob.upload_from_filename(
            path, content_type=_content_type(entry["name"]), checksum="crc32c", if_generation_match=0,
            timeout=TIMEOUT_S,
        )  # fmt: skip
        if (blob.md5_hash, blob.crc32c, blob.size) != (entry["md5"], entry["crc32c"], entry["bytes"]):
            raise RuntimeError(
                f"gs://{self.bucket.name}/{blob.name}: stored checksums differ from the local part"
            )
        return blob

    def _copy_into_place(self, temp_blobs, year: int, month: int, manifest: dict) -> None:
        prefix = self.month_prefix(year, month)
        created = []
        try:
            for source, entry in zip(temp_blobs, manifest["parts"], strict=True):
                target = self.bucket.blob(prefix + entry["name"])
                token = None
                while True:  # rewrite copies large objects in several calls
                    token, _, _ = target.rewrite(
                        source, token=token, if_generation_match=0, timeout=TIMEOUT_S
                    )
                    if token is None:
                        break
                created.append(target)
                if target.crc32c != entry["crc32c"]:
                    raise RuntimeError(f"gs://{self.bucket.name}/{target.name}: crc32c differs after copy")
            manifest_blob = self.bucket.blob(prefix + MANIFEST_NAME)
            manifest_blob.upload_from_string(
                dumps(manifest), content_type="application/json", if_generation_match=0, timeout=TIMEOUT_S
            )
        except BaseException:
            for blob in created:  # leave nothing under the final prefix
                with contextlib.suppress(Exception):
                    blob.delete(if_generation_match=blob.generation, timeout=TIMEOUT_S)
            raise

    def _remove_month(self, year: int, month: int) -> None:
        """Delete what is under the month's prefix, the manifest first so the month reads as incomplete."""
        prefix = self.month_prefix(year, month)
        blobs = list(self.client.list_blobs(self.bucket, prefix=prefix, timeout=TIMEOUT_S))
        blobs.sort(key=lambda blob: blob.name != prefix + MANIFEST_NAME)
        for blob in blobs:
            log.info("removing gs://%s/%s", self.bucket.name, blob.name)
            blob.delete(if_generation_match=blob.generation, timeout=TIMEOUT_S)

    @contextlib.contextmanager
    def _lock(self, year: int, month: int) -> Iterator[None]:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        name = self._name("_tmp", "locks", "-".join(month_folder(year, month)) + ".lock")
        holder = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "at": datetime.now(timezone.utc).isoformat(),
        }
        lock = self.bucket.blob(name)
        while True:
            try:
                lock.upload_from_string(json.dumps(holder), if_generation_match=0, timeout=TIMEOUT_S)
                break
            except PreconditionFailed:
                self._wait_or_break_lock(name)
        try:
            yield
        finally:
            with contextlib.suppress(NotFound, PreconditionFailed):
                lock.delete(if_generation_match=lock.generation, timeout=TIMEOUT_S)

    def _wait_or_break_lock(self, name: str) -> None:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        current = self.bucket.get_blob(name, timeout=TIMEOUT_S)
        if current is None:
            return
        age_s = (datetime.now(timezone.utc) - current.time_created).total_seconds()
        if age_s > self.lock_stale_s:
            log.warning("gs://%s/%s: taking over a lock held for %.0f s", self.bucket.name, name, age_s)
            with contextlib.suppress(NotFound, PreconditionFailed):
                current.delete(if_generation_match=current.generation, timeout=TIMEOUT_S)
            return
        log.info("another run is publishing this month (lock gs://%s/%s); waiting", self.bucket.name, name)
        time.sleep(self.lock_poll_s)


def _content_type(name: str) -> str:
    if name.endswith(".parquet"):
        return "application/vnd.apache.parquet"
    return "application/gzip" if name.endswith(".gz") else "text/csv"
