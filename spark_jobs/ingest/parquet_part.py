"""Converting one part's CSV spool into a raw Parquet part (the format the Spark and DuckDB readers expect).

The Parquet part has the 9 raw columns then `_corrupt_record`, all nullable strings, zstd-compressed.
Field values are the CSV field text exactly as pyarrow parses it (quotes `"`, nothing trimmed, invalid
UTF-8 kept as is). A line without exactly 9 fields is kept as a row whose fields are NULL and whose
`_corrupt_record` is the line's text; such rows follow the part's other rows.

pyarrow hands a bad line to the handler as `str` and cannot do so when the line is not valid UTF-8.
A part holding invalid UTF-8 is therefore split first: its valid UTF-8 lines are converted as usual,
its other lines are converted from their Latin-1 reading (valid UTF-8, same commas, quotes and line
ends) and mapped back to the original bytes afterwards.
"""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from spark_jobs.contract import RAW_COLUMNS, RAW_CORRUPT_COLUMN

SCHEMA = pa.schema([pa.field(name, pa.string()) for name in (*RAW_COLUMNS, RAW_CORRUPT_COLUMN)])
COMPRESSION = "zstd"
BLOCK_SIZE = 16 << 20  # CSV bytes per batch (and row group); doubled for a longer line


def write_parquet_part(spool: str, out_path: str, *, valid_utf8: bool) -> int:
    """Write the CSV at `spool` (Kaggle header first) as a Parquet part at `out_path`; returns its rows."""
    if valid_utf8:
        sources = [(spool, False)]
    else:
        sources = _split_by_encoding(spool)
    try:
        rows = _write(sources, out_path, os.path.getsize(spool))
    finally:
        if not valid_utf8:
            for path, _ in sources:
                os.remove(path)
    with open(out_path, "rb") as file:
        os.fsync(file.fileno())
    return rows


def _write(sources: list[tuple[str, bool]], out_path: str, size: int) -> int:
    block_size = BLOCK_SIZE
    while True:
        try:
            with pq.ParquetWriter(out_path, SCHEMA, compression=COMPRESSION) as writer:
                rows = 0
                corrupt: list[bytes] = []
                for path, latin1 in sources:
                    rows += _convert(path, writer, corrupt, latin1=latin1, block_size=block_size)
                if corrupt:
                    writer.write_table(_corrupt_table(corrupt))
                    rows += len(corrupt)
            break
        except pa.ArrowInvalid as error:
            if "straddl" not in str(error) or block_size > size:
                raise
            block_size *= 2  # a line longer than a block: read again with larger blocks
    return rows


def _convert(path: str, writer, corrupt: list[bytes], *, latin1: bool, block_size: int) -> int:
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
        writer.write_batch(pa.record_batch([*columns, pa.nulls(batch.num_rows, pa.string())], schema=SCHEMA))
        rows += batch.num_rows
    corrupt.extend(text.encode("latin-1" if latin1 else "utf-8") for text in found)
    return rows


def _original_bytes(column: pa.Array) -> pa.Array:
    """Undo the Latin-1 reading of a column: each character is one byte of the original line."""
    values = [None if value is None else value.encode("latin-1") for value in column.to_pylist()]
    return pa.array(values, pa.binary()).view(pa.string())


def _corrupt_table(lines: list[bytes]) -> pa.Table:
    count = len(lines)
    return pa.table(
        [
            *(pa.nulls(count, pa.string()) for _ in RAW_COLUMNS),
            pa.array(lines, pa.binary()).view(pa.string()),
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
