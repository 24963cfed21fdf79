"""Publishing a month into a local raw zone atomically, and the choice of store for a destination.

Parts are written into a hidden sibling folder (`year=YYYY/.month=MM.tmp-<id>`, ignored by Spark),
fsynced, and the folder is renamed to `month=MM` in one step: readers see the whole month or none of
it. Replacing a month (--force) renames the old folder aside first and deletes it afterwards.
A killed run leaves its hidden folders behind; the next run in the same year folder removes those
older than `LEFTOVER_AGE_S`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator

from spark_jobs.ingest.checksums import file_checksums, fsync_dir
from spark_jobs.ingest.manifest import MANIFEST_NAME, dumps, expected_parts, loads

log = logging.getLogger("spark_jobs.ingest")

PUBLISHED = "published"
CONCURRENT = "published by a concurrent run"
MAX_PUBLISH_TRIES = 10
# A run stages and publishes a month in minutes, and writing into its folder refreshes the folder's
# modification time: a hidden month folder untouched for a day belongs to a run that was killed.
LEFTOVER_AGE_S = 24 * 3600


def month_folder(year: int, month: int) -> tuple[str, str]:
    return f"year={year:04d}", f"month={month:02d}"


def open_store(dest: str):
    if dest.startswith("gs://"):
        from spark_jobs.ingest.gcs_store import GcsStore

        return GcsStore(dest)
    if "://" in dest:
        raise ValueError(f"--dest {dest}: expected gs://BUCKET/PREFIX or a local directory")
    return LocalStore(dest)


def visible_name(name: str) -> bool:
    """Spark and Hadoop skip names starting with '_' or '.'."""
    return not name.startswith(("_", "."))


def manifest_mismatch(manifest: dict, stored: dict[str, dict]) -> str | None:
    """Why the stored files (name -> {md5, crc32c, bytes}) do not match the manifest, or None."""
    expected = expected_parts(manifest)
    if set(stored) != set(expected):
        return f"parts {sorted(set(stored) ^ set(expected))} differ from the manifest"
    for name, entry in expected.items():
        for key in ("bytes", "md5", "crc32c"):
            if stored[name].get(key) != entry.get(key):
                return f"{name}: {key} differs from the manifest"
    return None


class LocalStore:
    def __init__(self, root: str):
        self.root = root

    def month_uri(self, year: int, month: int) -> str:
        return os.path.join(self.root, *month_folder(year, month))

    def valid_manifest(self, year: int, month: int) -> dict | None:
        """The month's manifest if the folder holds exactly the listed parts with their checksums."""
        folder = self.month_uri(year, month)
        try:
            with open(os.path.join(folder, MANIFEST_NAME), "rb") as file:
                manifest = loads(file.read(), folder)
        except FileNotFoundError:
            return None
        if manifest is None:
            return None
        stored = {
            name: file_checksums(os.path.join(folder, name))
            for name in os.listdir(folder)
            if visible_name(name)
        }
        problem = manifest_mismatch(manifest, stored)
        if problem:
            log.warning("%s: %s; the month will be ingested again", folder, problem)
            return None
        return manifest

    @contextlib.contextmanager
    def staging(self, year: int, month: int) -> Iterator[str]:
        year_dir, month_dir = month_folder(year, month)
        remove_leftovers(os.path.join(self.root, year_dir))
        folder = os.path.join(self.root, year_dir, f".{month_dir}.tmp-{uuid.uuid4().hex}")
        os.makedirs(folder)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def publish(self, staging: str, year: int, month: int, manifest: dict, *, replace: bool) -> str:
        with open(os.path.join(staging, MANIFEST_NAME), "wb") as file:
            file.write(dumps(manifest))
            file.flush()
            os.fsync(file.fileno())
        fsync_dir(staging)
        final = self.month_uri(year, month)
        year_dir = os.path.dirname(final)
        set_aside: list[str] = []
        try:
            for _ in range(MAX_PUBLISH_TRIES):
                try:
                    os.rename(staging, final)  # atomic; fails while `final` exists and is not empty
                    fsync_dir(year_dir)
                    return PUBLISHED
                except OSError as error:
                    if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                        raise
                if not replace and self.valid_manifest(year, month) is not None:
                    return CONCURRENT
                # an incomplete or stale month folder, or --force: move it out of the way, then retry
                aside = os.path.join(year_dir, f".{os.path.basename(final)}.old-{uuid.uuid4().hex}")
                with contextlib.suppress(FileNotFoundError):  # a concurrent run moved it first
                    os.rename(final, aside)
                    set_aside.append(aside)
            raise RuntimeError(
                f"{final}: could not publish after {MAX_PUBLISH_TRIES} tries (concurrent runs?)"
            )
        finally:
            for aside in set_aside:
                shutil.rmtree(aside, ignore_errors=True)


def remove_leftovers(year_dir: str, max_age_s: float = LEFTOVER_AGE_S) -> None:
    """Delete hidden `.month=MM.tmp-*` / `.month=MM.old-*` folders of killed runs (older than `max_age_s`)."""
    if not os.path.isdir(year_dir):
        return
    now = time.time()
    for name in os.listdir(year_dir):
        path = os.path.join(year_dir, name)
        if not (name.startswith(".month=") and (".tmp-" in name or ".old-" in name)):
            continue
        with contextlib.suppress(FileNotFoundError):  # another run removed it first
            age_s = now - os.path.getmtime(path)
            if age_s > max_age_s:
                log.warning("removing %s, left by an interrupted run %.0f h ago", path, age_s / 3600)
                shutil.rmtree(path, ignore_errors=True)
