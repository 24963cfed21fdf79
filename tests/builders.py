"""Hand-made rows for specification tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from spark_jobs import contract
from spark_jobs.clean import RAW_COLUMNS, RAW_SCHEMA
from spark_jobs.schemas import spark_schema

HEADER = ",".join(RAW_COLUMNS)
GOOD = {
    "event_time": "2019-10-01 10:00:00 UTC",
    "event_type": "view",
    "product_id": "1004856",
    "category_id": "2053013555631882655",
    "category_code": "electronics.smartphone",
    "brand": "samsung",
    "price": "130.76",
    "user_id": "543272936",
    "user_session": "8187d148-3c41-46d4-b0c0-9c08cd9dc564",
}


def raw_row(**overrides) -> tuple:
    """A raw row's 9 fields and `_corrupt_record` (strings; no corrupt record), with some fields changed."""
    values = {**GOOD, **overrides}
    return (*(values[name] for name in RAW_COLUMNS), None)


def raw_frame(spark, rows: list[tuple]):
    """Raw rows as a raw part holds them: with the source file and the row id (position, from 1)."""
    return spark.createDataFrame(
        [(*row, "file:/in/2019-Oct.csv", position) for position, row in enumerate(rows, start=1)], RAW_SCHEMA
    )


def event(**overrides) -> dict:
    """A clean event (contract.EVENTS) as a dict, with some columns changed."""
    time = overrides.pop("event_time", datetime(2019, 10, 1, 10, 0, 0))
    values = {
        "event_time": time,
        "event_date": time.date(),
        "event_hour": time.hour,
        "event_type": "view",
        "product_id": 1,
        "category_id": 10,
        "category_code": "electronics.smartphone",
        "category_l1": "electronics",
        "category_l2": "smartphone",
        "category_l3": None,
        "brand": "samsung",
        "price": Decimal("100.00"),
        "user_id": 1,
        "user_session": "s1",
    }
    values.update(overrides)
    return values


def frame_of(spark, table: contract.Table, rows: list[dict]):
    schema = spark_schema(table)
    return spark.createDataFrame([tuple(row[name] for name in table.column_names) for row in rows], schema)


def events_frame(spark, rows: list[dict]):
    return frame_of(spark, contract.EVENTS, rows)


def day(number: int) -> date:
    return date(2019, 10, number)
