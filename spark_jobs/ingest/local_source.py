"""Reading a local source file (.csv, .csv.gz, or a .zip holding one CSV, as Kaggle serves it)."""

from __future__ import annotations

import os
import zipfile

from spark_jobs.errors import UserError
from spark_jobs.ingest.progress import CountedStream, Progress


class CountingReader(CountedStream):
    """Passes reads of a file-like object through, counting them."""

    def __init__(self, inner, progress: Progress | None = None):
        super().__init__(progress)
        self._inner = inner

    def readinto(self, buffer) -> int:
        return self._deliver(buffer, self._inner.read(len(buffer)))

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_path(path: str, progress: Progress | None = None) -> CountingReader:
    """A raw stream of the file's bytes; for a .zip, of its single member's uncompressed bytes."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) != 1:
            archive.close()
            raise UserError(f"{path}: expected one CSV inside the zip, found {[m.filename for m in members]}")
        total, inner = members[0].file_size, _ClosingMember(archive, members[0])
    else:
        total, inner = os.path.getsize(path), open(path, "rb")  # noqa: SIM115 - closed by CountingReader
    if progress is not None:
        progress.set_total(total)
    return CountingReader(inner, progress)


class _ClosingMember:
    """A zip member that closes its archive with it."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo):
        self._archive = archive
        self._member = archive.open(info)

    def read(self, size: int) -> bytes:
        return self._member.read(size)

    def close(self) -> None:
        self._member.close()
        self._archive.close()
