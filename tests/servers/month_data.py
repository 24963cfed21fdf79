"""Small Kaggle-format months built in Python (independent of the generator), plain or gzipped."""

from __future__ import annotations

import gzip
import random

from spark_jobs.contract import RAW_COLUMNS, RAW_CORRUPT_COLUMN, RAW_ROW_ID_COLUMN, RAW_SOURCE_COLUMN

HEADER = "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session"
EVENT_TYPES = ("view",) * 8 + ("cart", "purchase")
CATEGORIES = (
    ("2053013555631882655", "electronics.smartphone"),
    ("2053013563810775923", "appliances.kitchen.washer"),
    ("2053013558920217191", ""),  # category_code is often empty in the source
)
BRANDS = ("samsung", "apple", "xiaomi", "")


def kaggle_csv(rows: int = 3000, seed: int = 7, month: str = "2019-10") -> bytes:
    """`rows` data lines after the header; deterministic for a seed."""
    rng = random.Random(seed)
    lines = [HEADER]
    for index in range(rows):
        day, second = 1 + index % 28, index % 86400
        category_id, category_code = rng.choice(CATEGORIES)
        lines.append(
            ",".join(
                (
                    f"{month}-{day:02d} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d} UTC",
                    rng.choice(EVENT_TYPES),
                    str(1000000 + rng.randrange(400)),
                    category_id,
                    category_code,
                    rng.choice(BRANDS),
                    f"{rng.randrange(0, 200000) / 100:.2f}",
                    str(500000000 + rng.randrange(900)),
                    f"{rng.randrange(16**8):08x}-3c41-46d4-b0c0-{index % 500:012d}",
                )
            )
        )
    return ("\n".join(lines) + "\n").encode()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def data_lines(csv: bytes) -> list[bytes]:
    """The data lines of a CSV (header removed), for comparing what was ingested."""
    return csv.splitlines()[1:]


def part_lines(part: bytes) -> list[bytes]:
    """The lines of one stored part (gzip or plain)."""
    return (gzip.decompress(part) if part[:2] == b"\x1f\x8b" else part).splitlines()


def part_table(part: bytes):
    """A stored Parquet part as a pyarrow table; its columns must be the raw part format's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(part))
    assert table.column_names == [*RAW_COLUMNS, RAW_CORRUPT_COLUMN, RAW_SOURCE_COLUMN, RAW_ROW_ID_COLUMN]
    return table


def part_rows(part: bytes) -> list[tuple]:
    """The 9 fields and `_corrupt_record` of a Parquet part's rows, as tuples of bytes (values are
    not necessarily valid UTF-8)."""
    import pyarrow as pa

    columns = part_table(part).select([*RAW_COLUMNS, RAW_CORRUPT_COLUMN]).columns
    return list(zip(*(column.cast(pa.binary()).to_pylist() for column in columns), strict=True))


def parquet_lines(part: bytes) -> list[bytes]:
    """The rows of a stored Parquet part as CSV lines (fields joined by commas, or the corrupt text)."""
    return [row[-1] if row[-1] is not None else b",".join(row[:-1]) for row in part_rows(part)]


def month_lines(parts: list[bytes]) -> list[bytes]:
    """Data lines of a stored month in part order, from Parquet parts or from CSV parts (each of which
    must start with the header)."""
    if all(part[:4] == b"PAR1" for part in parts):
        return [line for part in parts for line in parquet_lines(part)]
    lines: list[bytes] = []
    for part in parts:
        header, *rows = part_lines(part)
        assert header == HEADER.encode()
        lines.extend(rows)
    return lines
