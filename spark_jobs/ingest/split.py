"""Streaming a source CSV (plain or gzip) into bounded parts: Parquet (default) or CSV with the header.

Spark reads one gzip file with one task, so a month stored as one 1.7 GB .csv.gz is read on one core;
parts of bounded size are read in parallel. The input is read in 1 MB chunks and cut at the first
line end after the size limit, so no line is split and nothing is held in memory beyond a chunk.

A CSV part is written as it streams in. A Parquet part is first spooled as plain CSV (header first)
to a hidden file in the same folder, then converted in bounded batches when the part is complete
(`parquet_part.write_parquet_part`) and the spool deleted.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import os
import re
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

from spark_jobs.errors import UserError
from spark_jobs.ingest.checksums import HashingWriter, file_checksums
from spark_jobs.ingest.parquet_part import write_parquet_part
from spark_jobs.ingest.sources import KAGGLE_HEADER

CHUNK_SIZE = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
GZIP_LEVEL = 1  # fast; the measured trade-off is in the README (Ingestion, Layout)
MAX_HEADER_BYTES = 64 * 1024
PART_FORMATS = ("parquet", "csv")
DEFAULT_PART_SIZE_MB = 128  # size of one raw part before compression


def check_part_format(part_format: str) -> str:
    if part_format not in PART_FORMATS:
        raise UserError(f"part format {part_format!r}: expected one of {', '.join(PART_FORMATS)}")
    return part_format


class SourceFormatError(UserError):
    """The source is not a complete Kaggle-format CSV (wrong header, HTML, truncated gzip)."""


@dataclass
class Part:
    name: str
    path: str
    rows: int = 0  # data lines of a CSV part; rows of a Parquet part
    csv_bytes: int = 0  # uncompressed CSV bytes of the part, header included
    checksums: dict = field(default_factory=dict)  # bytes, sha256, md5, crc32c of the file as stored

    def as_manifest_entry(self) -> dict:
        return {"name": self.name, "rows": self.rows, "csv_bytes": self.csv_bytes, **self.checksums}


@dataclass
class SplitResult:
    parts: list[Part]
    compressed_input: bool

    @property
    def rows(self) -> int:
        return sum(part.rows for part in self.parts)


def split_csv(
    stream,
    out_dir: str,
    *,
    part_size_bytes: int,
    part_format: str = "parquet",
    compress: bool = True,
    source_name: str = "source",
) -> SplitResult:
    """Write `stream` (a binary stream of a .csv or .csv.gz) as parts into `out_dir`.

    `compress` (gzip) applies to CSV parts only; Parquet parts are always zstd-compressed.
    """
    buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream, buffer_size=CHUNK_SIZE)
    compressed_input = buffered.peek(2)[:2] == GZIP_MAGIC
    text = gzip.GzipFile(fileobj=buffered, mode="rb") if compressed_input else buffered
    writer = PartWriter(
        out_dir, part_size_bytes=part_size_bytes, part_format=part_format, compress=compress,
        source_file=source_name,
    )  # fmt: skip
    try:
        try:
            check_header(text.readline(MAX_HEADER_BYTES), source_name)
            while chunk := text.read(CHUNK_SIZE):
                writer.write(chunk)
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise SourceFormatError(f"{source_name}: truncated or corrupt gzip data ({error})") from error
        parts = writer.finish()
    finally:
        writer.abort()
    if not parts or not sum(part.rows for part in parts):
        raise SourceFormatError(f"{source_name}: has the header but no data rows")
    return SplitResult(parts=parts, compressed_input=compressed_input)


SHOWN_HEADER_CHARS = 100
_TIMESTAMP_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def check_header(line: bytes, source_name: str) -> None:
    text = line.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    if text == KAGGLE_HEADER:
        return
    shown = shown_text(line.rstrip(b"\r\n"))
    if text.lstrip().startswith("<") or "<html" in text.lower():
        raise SourceFormatError(f"{source_name}: is an HTML page, not a CSV file (first line {shown})")
    if text.partition(",")[2] == KAGGLE_HEADER:
        raise SourceFormatError(
            f"{source_name}: has an extra first column before the Kaggle header (got {shown}), as a file "
            "saved with its pandas index has; remove that column (e.g. cut -d, -f2-) and try again"
        )
    if _TIMESTAMP_START.match(text) and text.count(",") == len(KAGGLE_HEADER.split(",")) - 1:
        raise SourceFormatError(
            f"{source_name}: has no header line (its first line is a data row: {shown}); "
            f"add the Kaggle header {KAGGLE_HEADER!r} as the first line"
        )
    raise SourceFormatError(f"{source_name}: header is not the Kaggle header {KAGGLE_HEADER!r}; got {shown}")


def shown_text(data: bytes, limit: int = SHOWN_HEADER_CHARS) -> str:
    """`data` quoted for a one-line message: non-ASCII and control bytes escaped, cut at `limit`
    characters (never inside an escape), `...` after the quote when cut."""
    text = data.decode("utf-8", errors="backslashreplace").encode("ascii", errors="backslashreplace")
    shown, length = [], 0
    for char in text.decode():
        piece = char if char.isprintable() else char.encode("unicode_escape").decode()
        if length + len(piece) > limit:
            return "'" + "".join(shown) + "'..."
        shown.append(piece)
        length += len(piece)
    return "'" + "".join(shown) + "'"


class PartWriter:
    """Writes `part-NNNNN.parquet` or `part-NNNNN.csv[.gz]` files of about `part_size_bytes` CSV each."""

    def __init__(
        self,
        out_dir: str,
        *,
        part_size_bytes: int,
        part_format: str = "parquet",
        compress: bool,
        source_file: str = "source",
    ):
        if part_size_bytes <= 0:
            raise UserError(f"part size must be positive, got {part_size_bytes}")
        check_part_format(part_format)
        self.out_dir = out_dir
        self.part_size_bytes = part_size_bytes
        self.part_format = part_format
        self.compress = compress
        self.source_file = source_file  # written into every row of a Parquet part
        self.parts: list[Part] = []
        self._current: _OpenPart | None = None
        self._ends_with_newline = True

    def write(self, data: bytes) -> None:
        while data:
            if self._current is None:
                self._current = self._open_next()
            room = self.part_size_bytes - self._current.part.csv_bytes
            if len(data) < room:
                self._current.write(data)
                break
            cut = data.find(b"\n", max(room - 1, 0))  # the line that crosses the limit ends this part
            if cut < 0:
                self._current.write(data)
                break
            self._current.write(data[: cut + 1])
            self._close_current()
            data = data[cut + 1 :]

    def finish(self) -> list[Part]:
        if self._current is not None:
            if not self._ends_with_newline:
                self._current.write(b"\n")
            self._close_current()
        return self.parts

    def abort(self) -> None:
        """Close a part left open by an error (its file is removed with the staging folder)."""
        if self._current is not None:
            self._current.discard()
            self._current = None

    def _open_next(self) -> _OpenPart:
        if self.part_format == "parquet":
            kind, suffix = _ParquetPart, ".parquet"
        else:
            kind, suffix = _CsvPart, (".csv.gz" if self.compress else ".csv")
        name = f"part-{len(self.parts):05d}{suffix}"
        return kind(Part(name=name, path=os.path.join(self.out_dir, name)), self)

    def _close_current(self) -> None:
        self._current.close()
        self.parts.append(self._current.part)
        self._current = None


class _OpenPart:
    """A part being written: the Kaggle header, then whole lines, counting rows and CSV bytes."""

    def __init__(self, part: Part, writer: PartWriter, sink: BinaryIO):
        self.part = part
        self._writer = writer
        self._sink = sink
        self._write_raw(KAGGLE_HEADER.encode() + b"\n")

    def write(self, data: bytes) -> None:
        self._write_raw(data)
        self.part.rows += data.count(b"\n")
        self._writer._ends_with_newline = data.endswith(b"\n")

    def _write_raw(self, data: bytes) -> None:
        self._sink.write(data)
        self.part.csv_bytes += len(data)


class _CsvPart(_OpenPart):
    """Written as it streams in (gzip or plain) and checksummed on the way."""

    def __init__(self, part: Part, writer: PartWriter):
        self._file = open(part.path, "wb")  # noqa: SIM115 - closed in close() or discard()
        self._hashing = HashingWriter(self._file)
        # mtime=0 and no file name: the same rows always give the same bytes (and checksums)
        self._gzip = (
            gzip.GzipFile(filename="", fileobj=self._hashing, mode="wb", compresslevel=GZIP_LEVEL, mtime=0)
            if writer.compress
            else None
        )
        super().__init__(part, writer, self._gzip or self._hashing)

    def close(self) -> None:
        if self._file.closed:
            return
        if self._gzip is not None:
            self._gzip.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.part.checksums = self._hashing.checksums.as_dict()

    def discard(self) -> None:
        """Close after an error (the staging folder is removed by the caller)."""
        if self._file.closed:
            return
        if self._gzip is not None:
            with contextlib.suppress(Exception):
                self._gzip.close()
        self._file.close()


class _ParquetPart(_OpenPart):
    """Spooled as plain CSV under a name Spark and the store ignore, converted once complete."""

    def __init__(self, part: Part, writer: PartWriter):
        self._spool = os.path.join(writer.out_dir, f".{part.name}.csv.spool")
        self._file = open(self._spool, "wb")  # noqa: SIM115 - closed in close() or discard()
        # whether the part is valid UTF-8 (pyarrow needs it to hand over a bad line's text)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._valid_utf8 = True
        super().__init__(part, writer, self._file)

    def write(self, data: bytes) -> None:
        super().write(data)
        if self._valid_utf8:
            self._check_utf8(data)

    def _check_utf8(self, data: bytes) -> None:
        if data.isascii() and not self._utf8.getstate()[0]:
            return
        try:
            self._utf8.decode(data)
        except UnicodeDecodeError:
            self._valid_utf8 = False

    def close(self) -> None:
        """Convert the spool into the Parquet part (checksummed as stored), then delete the spool."""
        if self._file.closed:
            return
        self._file.close()
        try:
            if self._valid_utf8:
                try:
                    self._utf8.decode(b"", final=True)
                except UnicodeDecodeError:
                    self._valid_utf8 = False
            self.part.rows = write_parquet_part(
                self._spool,
                self.part.path,
                valid_utf8=self._valid_utf8,
                source_file=self._writer.source_file,
                part_number=len(self._writer.parts),
            )
            self.part.checksums = file_checksums(self.part.path)
        finally:
            os.remove(self._spool)

    def discard(self) -> None:
        """Close after an error without converting."""
        if self._file.closed:
            return
        self._file.close()
        os.remove(self._spool)
