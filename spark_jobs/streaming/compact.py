"""`compact`: a day's clean events rewritten as the batch job writes them, and its marts rebuilt.

After `compact`, every table holds what `run` over the same landed files holds: the day is
deduplicated again (as `clean_batch` does: one shuffle by day, one file per day), its daily marts are
rebuilt, and the monthly marts and sessions of its months.
"""

from __future__ import annotations

import logging

from pyspark.sql import SparkSession

from spark_jobs import clean, contract, lake_io
from spark_jobs.errors import UserError
from spark_jobs.jobs import build_marts, read_events
from spark_jobs.lake import Lake, write_partitioned
from spark_jobs.locks import lake_lock
from spark_jobs.logs import stage
from spark_jobs.streaming.job import EVENTS_LOCK

log = logging.getLogger("spark_jobs.compact")


def days_of_month(spark: SparkSession, lake: Lake, month: str) -> list[str]:
    table = lake.spark_uri(lake.table_path(contract.EVENTS))
    return [day for day in lake_io.list_partition_values(table, "event_date") if day.startswith(month)]


def compact(
    spark: SparkSession, lake: Lake, days: list[str] | None = None, months: list[str] | None = None
) -> list[str]:
    """Compact the days (or every stored day of the months); the days compacted."""
    days = sorted(
        set(days or []) | {day for month in months or [] for day in days_of_month(spark, lake, month)}
    )
    if not days:
        raise UserError("compact: no stored clean events for the days or months given")
    with lake_lock(lake, EVENTS_LOCK, wait_seconds=3600), stage(f"compact {days[0]}..{days[-1]}") as info:
        events = read_events(spark, lake, days=days)
        write_partitioned(clean.deduplicate(events.repartition("event_date")), contract.EVENTS, lake)
        build_marts(spark, lake, days=days)
        build_marts(spark, lake, months=sorted({day[:7] for day in days}))
        info.update(days=len(days))
    return days
