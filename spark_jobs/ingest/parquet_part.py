"""Converting one part's CSV spool into a raw Parquet part (the format the Spark and DuckDB readers expect).

The Parquet part has the 9 raw columns then `_corrupt_record`, all nullable strings, then
`source_file` (the original file's path or URI) and `row_id` (INT64, `contract.raw_row_id`),
zstd-compressed. Field values are the CSV field text exactly as pyarrow parses it (RFC 4180: quotes
`"`, a doubled quote inside a quoted field; nothing trimmed, invalid UTF-8 kept as is). A line
without exactly 9 fields is kept as a row whose fields are NULL and whose `_corrupt_record` is the
line's text; such rows follow the part's other rows. The readers (Spark, DuckDB) need neither file
metadata nor generated ids: both travel in the part.

pyarrow hands a bad line to the handler as `str` and cannot do so when the line is not valid UTF-8.
A part holding invalid UTF-8 is therefore split first: its valid UTF-8 lines are converted as usual,
its other lines are converted from their Latin-1 reading (valid UTF-8, same commas, quotes and line
ends) and mapped back to the original bytes afterwards.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from spark_jobs.contract import (
    RAW_COLUMNS,
    RAW_CORRUPT_COLUMN,
    RAW_ROW_ID_COLUMN,
    RAW_SOURCE_COLUMN,
    raw_row_id,
)

SCHEMA = pa.schema(
    [pa.field(name, pa.string()) for name in (*RAW_COLUMNS, RAW_CORRUPT_COLUMN, RAW_SOURCE_COLUMN)]
    + [pa.field(RAW_ROW_ID_COLUMN, pa.int64())]
)
COMPRESSION = "zstd"
# row_id grows by one per row: delta encoding stores it in almost no bytes, where plain INT64 would
# add 8 bytes a row before compression; the constant source_file is dictionary-encoded
ENCODINGS = {
    "use_dictionary": [name for name in SCHEMA.names if name != RAW_ROW_ID_COLUMN],
    "column_encoding": {RAW_ROW_ID_COLUMN: "DELTA_BINARY_PACKED"},
}
BLOCK_SIZE = 16 << 20  # CSV bytes per batch (and row group); doubled for a longer line


def write_parquet_part(
    spool: str, out_path: str, *, valid_utf8: bool, source_file: str, part_number: int
) -> int:
    """Write the CSV at `spool` (Kaggle header first) as a Parquet part at `out_path`; returns its rows.

    `source_file` and `part_number` (the part's position among the source file's parts, from 0) go
    into every row's `source_file` and `row_id`.
    """
    if valid_utf8:
        sources = [(spool, False)]
    else:
        sources = _split_by_encoding(spool)
    try:
        rows = _write(sources, out_path, os.path.getsize(spool), _RowIds(source_file, part_number))
    finally:
        if not valid_utf8:
            for path, _ in sources:
                os.remove(path)
    with open(out_path, "rb") as file:
        os.fsync(file.fileno())
    return rows


class _RowIds:
    """The `source_file` and `row_id` columns of the part's rows, in the order they are written."""

    def __init__(self, source_file: str, part_number: int):
        self.source_file = source_file
        self.first = raw_row_id(part_number, 1)
        self.written = 0

    def restart(self) -> None:
        self.written = 0

    def next_columns(self, count: int) -> list[pa.Array]:
        ids = np.arange(self.first + self.written, self.first + self.written + count, dtype=np.int64)
        self.written += count
        return [pa.repeat(pa.scalar(self.source_file, pa.string()), count), pa.array(ids, pa.int64())]


def _write(sources: list[tuple[str, bool]], out_path: str, size: int, row_ids: _RowIds) -> int:
    block_size = BLOCK_SIZE
    while True:
        row_ids.restart()
        try:
            with pq.ParquetWriter(out_path, SCHEMA, compression=COMPRESSION, **ENCODINGS) as writer:
                rows = 0
                corrupt: list[bytes] = []
                for path, latin1 in sources:
                    rows += _convert(path, writer, corrupt, row_ids, latin1=latin1, block_size=block_size)
                if corrupt:
                    writer.write_table(_corrupt_table(corrupt, row_ids))
                    rows += len(corrupt)
            break
        except pa.ArrowInvalid as error:
            if "straddl" not in str(error) or block_size > size:
                raise
            block_size *= 2  # a line longer than a block: read again with larger blocks
    return rows


def _convert(
    path: str, writer, corrupt: list[bytes], row_ids: _RowIds, *, latin1: bool, block_size: int
) -> int:
    found: list[str] = []

    def keep_bad_line(row) -> str:
        found.append(row.text)
        return "skip"

    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(column_names=list(RAW_COLUMNS), skip_rows=1, block_size=block_size),
        parse_options=pa_csv.ParseOptions(invalid_row_handler=keep_bad_line),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in RAW_COLUMNS}, check_utf8=False
        ),
    )
    rows = 0
    for batch in reader:
        if not batch.num_rows:
            continue
        columns = [_original_bytes(column) if latin1 else column for column in batch.columns]
        writer.write_batch(
            pa.record_batch(
                [*columns, pa.nulls(batch.num_rows, pa.string()), *row_ids.next_columns(batch.num_rows)],
                schema=SCHEMA,
            )
        )
        rows += batch.num_rows
    corrupt.extend(text.encode("latin-1" if latin1 else "utf-8") for text in found)
    return rows


def _original_bytes(column: pa.Array) -> pa.Array:
    """Undo the Latin-1 reading of a column: each character is one byte of the original line."""
    values = [None if value is None else value.encode("latin-1") for value in column.to_pylist()]
    return pa.array(values, pa.binary()).view(pa.string())


def _corrupt_table(lines: list[bytes], row_ids: _RowIds) -> pa.Table:
    count = len(lines)
    return pa.table(
        [
            *(pa.nulls(count, pa.string()) for _ in RAW_COLUMNS),
            pa.array(lines, pa.binary()).view(pa.string()),
            *row_ids.next_columns(count),
        ],
        schema=SCHEMA,
    )


def _split_by_encoding(spool: str) -> list[tuple[str, bool]]:
    """Two CSVs beside `spool`: its valid UTF-8 lines, and its other lines read as Latin-1."""
    utf8_path, latin1_path = spool + ".utf8", spool + ".latin1"
    with (
        open(spool, "rb") as source,
        open(utf8_path, "wb") as utf8,
        open(latin1_path, "wb") as latin1,
    ):
        header = source.readline()
        utf8.write(header)
        latin1.write(header)
        for line in source:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                latin1.write(line.decode("latin-1").encode("utf-8"))
            else:
                utf8.write(line)
    return [(utf8_path, False), (latin1_path, True)]
