"""What the lake holds for a warehouse table: one `Slice` per folder, with its files and row count.

Partitioned tables are hive-partitioned (`event_date=2019-10-01/part-*.parquet`): the partition column
is in the folder name, not in the files, and loaders add it back. The data-quality table is stored as
`<batch_id>/part-*.parquet` with batch_id inside the files. Only Parquet footers are read here.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pyarrow.fs as pafs
import pyarrow.parquet as pq

from spark_jobs.contract import Table
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake
from spark_jobs.warehouse import validate


@dataclass(frozen=True)
class Slice:
    table: Table
    uri: str  # the folder, as a local path or gs:// URI
    files: tuple[str, ...]  # local paths or gs:// URIs of its Parquet files
    key: str  # the partition value as written in the folder name, or the batch id
    rows: int

    @property
    def partition_value(self) -> dt.date | None:
        return dt.date.fromisoformat(self.key) if self.table.partition_column else None

    @property
    def month(self) -> str:
        """YYYY-MM the slice belongs to: from the partition date, or the batch id's prefix."""
        return self.key[:7]


def filesystem(lake: Lake) -> tuple[pafs.FileSystem, str]:
    """A pyarrow filesystem and the lake root as that filesystem spells it."""
    if not lake.is_remote:
        return pafs.LocalFileSystem(), os.path.abspath(lake.root)
    if not lake.root.startswith("gs://"):
        raise UserError(f"unsupported lake URI {lake.root!r}: use a local folder or gs://bucket/prefix")
    emulator = os.environ.get("STORAGE_EMULATOR_HOST")
    if emulator:  # fake-gcs-server in tests and local runs
        scheme, _, host = emulator.partition("://")
        gcs = pafs.GcsFileSystem(
            anonymous=True, endpoint_override=host or scheme, scheme=scheme if host else "http"
        )
    else:
        gcs = pafs.GcsFileSystem()
    return gcs, lake.root[len("gs://") :]


def check_lake_root(lake: Lake) -> None:
    fs, root = filesystem(lake)
    if fs.get_file_info(root).type != pafs.FileType.Directory:
        raise UserError(f"lake not found: {lake.root} is not a folder")


def _uri(lake: Lake, fs_path: str) -> str:
    return fs_path if not lake.is_remote else "gs://" + fs_path


def find_slices(lake: Lake, table: Table, missing_ok: bool = False) -> list[Slice]:
    """Every folder of the table in the lake, checked against the contract; sorted by key.

    One recursive listing: object stores have no real folders (fake-gcs-server lists none).
    `missing_ok`: a table folder that does not exist holds no slices instead of being an error.
    """
    fs, root = filesystem(lake)
    base = f"{root}/{table.lake_path}"
    if fs.get_file_info(base).type != pafs.FileType.Directory:
        if missing_ok:
            return []
        raise UserError(f"lake table {table.name} not found: {_uri(lake, base)} is not a folder")
    folders: dict[str, list[str]] = {}
    for info in fs.get_file_info(pafs.FileSelector(base, recursive=True)):
        parts = info.path[len(base) + 1 :].split("/")
        if info.type != pafs.FileType.File or any(part.startswith(("_", ".")) for part in parts):
            continue  # _SUCCESS, .spark-staging-*, _temporary, .crc files
        if len(parts) != 2:
            raise UserError(f"{_uri(lake, info.path)}: expected <table folder>/<partition folder>/<file>")
        if parts[1].endswith(".parquet"):
            folders.setdefault(parts[0], []).append(info.path)
    slices = []
    for name, files in folders.items():
        key = _folder_key(table, name, _uri(lake, f"{base}/{name}"))
        slices.append(_read_slice(lake, fs, table, f"{base}/{name}", key, sorted(files)))
    return sorted(slices, key=lambda s: s.key)


def _folder_key(table: Table, name: str, uri: str) -> str:
    if table.partition_column is None:
        return name
    column, sep, value = name.partition("=")
    if column != table.partition_column or not sep:
        raise UserError(f"{uri}: expected a folder named {table.partition_column}=YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{uri}: partition value {value!r} is not a date") from None
    return value


def _read_slice(
    lake: Lake, fs: pafs.FileSystem, table: Table, folder: str, key: str, files: list[str]
) -> Slice:
    rows = 0
    for path in files:
        with fs.open_input_file(path) as handle:
            parquet = pq.ParquetFile(handle)
            validate.check_parquet_schema(table, _uri(lake, path), parquet.schema_arrow)
            validate.check_no_nulls(table, _uri(lake, path), _null_counts(parquet))
            rows += parquet.metadata.num_rows
    return Slice(table, _uri(lake, folder), tuple(_uri(lake, path) for path in files), key, rows)


def _null_counts(parquet: pq.ParquetFile) -> dict[str, int]:
    counts: dict[str, int] = {}
    metadata = parquet.metadata
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            stats = chunk.statistics
            if stats is not None and stats.has_null_count:
                counts[chunk.path_in_schema] = counts.get(chunk.path_in_schema, 0) + stats.null_count
    return counts
