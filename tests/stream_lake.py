"""Landed files and lake comparisons for the stream tests."""

from __future__ import annotations

import gzip
import json
import os
import random

from builders import GOOD, HEADER

from spark_jobs import contract
from spark_jobs.clean import RAW_COLUMNS
from spark_jobs.lake import Lake
from spark_jobs.pipeline import run_pipeline


def line(**overrides) -> str:
    values = {**GOOD, **overrides}
    return ",".join(values[name] for name in RAW_COLUMNS)


def land_csv(folder, name: str, lines: list[str]) -> str:
    """Write a Kaggle-format file atomically (hidden name, then rename), as a collector should."""
    os.makedirs(folder, exist_ok=True)
    text = HEADER + "\n" + "".join(f"{entry}\n" for entry in lines)
    data = gzip.compress(text.encode()) if name.endswith(".gz") else text.encode()
    return _land(folder, name, data)


def land_json(folder, name: str, lines: list[str]) -> str:
    return _land(folder, name, "".join(f"{entry}\n" for entry in lines).encode())


def json_line(**overrides) -> str:
    return json.dumps({**GOOD, **overrides})


def _land(folder, name: str, data: bytes) -> str:
    os.makedirs(folder, exist_ok=True)
    hidden = os.path.join(folder, "." + name + ".tmp")
    with open(hidden, "wb") as handle:
        handle.write(data)
    final = os.path.join(folder, name)
    os.replace(hidden, final)
    return final


def traffic_files(seed: int = 7) -> dict[str, list[str]]:
    """Six files of two days' traffic: duplicates across files, a late file, bad lines, and sessions
    that span files and midnight (2019-10-01 23:5x -> 2019-10-02 00:0x)."""
    rng = random.Random(seed)
    rows = []
    for number in range(60):
        day = 1 if number < 40 else 2
        hour = 23 if day == 1 and number >= 30 else rng.randrange(0, 2) if day == 2 else rng.randrange(8, 20)
        rows.append(
            line(
                event_time=f"2019-10-{day:02d} {hour:02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d} UTC",
                event_type=rng.choice(["view", "view", "cart", "purchase"]),
                product_id=str(rng.randrange(1, 6)),
                brand=rng.choice(["samsung", "apple", ""]),
                price=f"{rng.randrange(1, 500)}.{rng.randrange(100):02d}",
                user_id=str(rng.randrange(1, 8)),
                user_session=f"s{rng.randrange(1, 12)}",
            )
        )
    bad = [line(event_time="yesterday"), line(price="-3"), "only,three,fields", line(user_session="")]
    return {
        "a-0001.csv": rows[0:15] + rows[3:5] + bad[:1],
        "a-0002.csv.gz": rows[15:30] + rows[10:12],  # duplicates of the first file
        "a-0003.csv": rows[30:40] + bad[1:2] + rows[30:31],
        "a-0004.csv": rows[40:50] + bad[2:3],
        "a-0005.csv.gz": rows[50:60] + rows[45:46] + bad[3:4],
        "late-0001.csv": rows[5:8] + [line(event_time="2019-10-01 09:00:00 UTC", user_session="late")],
    }


def table_rows(spark, lake, table: contract.Table) -> list[tuple]:
    frame = spark.read.parquet(lake.spark_uri(lake.table_path(table)))
    return sorted(tuple(row) for row in frame.select(*table.column_names).collect())


def assert_same_tables(spark, streamed, batch) -> None:
    """Events and every mart equal row for row; quarantine and data quality equal as outcomes."""
    for table in (contract.EVENTS, *contract.MARTS):
        assert table_rows(spark, streamed, table) == table_rows(spark, batch, table), table.name
    assert quarantined(spark, streamed) == quarantined(spark, batch)
    assert outcomes(spark, streamed) == outcomes(spark, batch)


def quarantined(spark, lake) -> list[tuple]:
    frame = spark.read.parquet(lake.spark_uri(lake.table_path(contract.QUARANTINE)))
    return sorted((os.path.basename(r.source_file), r.reason, r.raw_line) for r in frame.collect())


def outcomes(spark, lake) -> dict[tuple, int]:
    frame = spark.read.parquet(lake.spark_uri(lake.table_read_path(contract.DATA_QUALITY)))
    totals: dict[tuple, int] = {}
    for row in frame.collect():
        key = (row.outcome, row.reason)
        totals[key] = totals.get(key, 0) + row.row_count
    return {key: count for key, count in sorted(totals.items()) if count}


def batch_lake(spark, tmp_path, files: dict[str, list[str]]) -> Lake:
    folder = tmp_path / "batch-input"
    paths = [land_csv(folder, name, lines) for name, lines in files.items()]
    lake = Lake(str(tmp_path / "batch-lake"))
    run_pipeline(spark, inputs=paths, lake=lake, batch_id="all", max_quarantine_share=1.0)
    return lake
