"""Where the live view's 48 hours come from and how the lake keeps only them.

`live_traffic` ends its window with the newest event it is given, so it is given the lake's newest
days whatever months or days a run asked for: the window (2,880 minutes, so it starts at the earliest
two days before the newest day) plus the hour before it, which the trailing active-user counts of the
window's first minutes need. After the write, day folders that fell out of the window are removed, so
the table holds the 48 hours and nothing older, whatever ran before (a batch `run` and a stream give
the same table).
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs import contract, lake_io
from spark_jobs.lake import Lake

# the window (48 h) plus the longest active-user span before it, rounded up to whole days
DAYS_READ = 1 + (contract.LIVE_WINDOW_MINUTES + max(contract.ACTIVE_USER_WINDOWS)) // (24 * 60) + 1


def window_events(spark: SparkSession, lake: Lake) -> DataFrame:
    """The clean events of the lake's newest DAYS_READ days (by folder name: no data is scanned)."""
    path = lake.spark_uri(lake.table_path(contract.EVENTS))
    days = lake_io.list_partition_values(path, "event_date")
    events = spark.read.parquet(path)
    if not days:
        return events
    first = dt.date.fromisoformat(max(days)) - dt.timedelta(days=DAYS_READ - 1)
    return events.where(F.col("event_date") >= F.lit(first))


def drop_days_before_window(spark: SparkSession, lake: Lake) -> list[str]:
    """Remove the live_traffic day folders older than the window's first day; return their dates."""
    table = contract.LIVE_TRAFFIC
    path = lake.spark_uri(lake.table_path(table))
    days = lake_io.list_partition_values(path, table.partition_column)
    if not days:
        return []
    newest = spark.read.parquet(path).agg(F.max("event_minute").alias("newest")).first()["newest"]
    if newest is None:
        return []
    first_day = (newest - dt.timedelta(minutes=contract.LIVE_WINDOW_MINUTES - 1)).date().isoformat()
    stale = [day for day in days if day < first_day]
    for day in stale:
        lake_io.delete(f"{path}/{table.partition_column}={day}")
    return stale
