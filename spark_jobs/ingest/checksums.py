"""The checksums the manifest records, in the encodings GCS reports them (md5/crc32c as base64)."""

from __future__ import annotations

import base64
import hashlib
import os

READ_SIZE = 1 << 20


class Checksums:
    def __init__(self) -> None:
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._md5 = hashlib.md5(usedforsecurity=False)
        # imported here: `run` on Dataproc reads ingest's modules (split, for direct CSVs) but never
        # checksums a download, and the Dataproc runtime has no google-crc32c
        import google_crc32c

        self._crc32c = google_crc32c.Checksum()

    def update(self, data: bytes) -> None:
        self.size += len(data)
        self._sha256.update(data)
        self._md5.update(data)
        self._crc32c.update(data)

    def as_dict(self) -> dict:
        return {
            "bytes": self.size,
            "sha256": self._sha256.hexdigest(),
            "md5": base64.b64encode(self._md5.digest()).decode(),
            "crc32c": base64.b64encode(self._crc32c.digest()).decode(),
        }


class HashingWriter:
    """A binary sink that checksums what passes through it into a real file."""

    def __init__(self, file):
        self._file = file
        self.checksums = Checksums()

    def write(self, data) -> int:
        data = bytes(data)
        self.checksums.update(data)
        return self._file.write(data)

    def flush(self) -> None:
        self._file.flush()


def file_checksums(path: str) -> dict:
    checksums = Checksums()
    with open(path, "rb") as file:
        while data := file.read(READ_SIZE):
            checksums.update(data)
    return checksums.as_dict()


def fsync_dir(path: str) -> None:
    """Make a rename or a new file in `path` durable."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
