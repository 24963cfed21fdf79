"""The live view's mart: traffic per minute and event type over the last 48 hours of event time.

The window ends with the minute of the newest event in the input, so the job must give it the lake's
newest days (`spark_jobs.live_window` does); events before the window still count for the trailing
active users of its first minutes.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from spark_jobs import contract
from spark_jobs.marts.common import distinct_count, revenue
from spark_jobs.marts.options import DEFAULT_OPTIONS, MartOptions
from spark_jobs.schemas import conform

GRAIN = ["event_date", "event_minute", "event_type"]


def with_event_minute(events: DataFrame) -> DataFrame:
    return events.withColumn("event_minute", F.date_trunc("minute", "event_time"))


def active_users(events: DataFrame, minutes: int, name: str) -> DataFrame:
    """Per event_minute of `events`: distinct users with any event in the `minutes` minutes ending with it.

    Exact and linear in the events: a user active at minute t counts for the minutes t .. t+minutes-1;
    a user's overlapping spans are merged into islands (gaps and islands), each island adds +1 where it
    starts and -1 where it ends, and a running sum over the (few thousand) minutes gives the count.
    Exploding every (user, minute) into the minutes it counts for would make 60 rows of each.
    """
    width = minutes * 60
    pairs = events.select("user_id", F.unix_timestamp("event_minute").alias("_t")).distinct()
    by_user = Window.partitionBy("user_id").orderBy("_t")
    gap = F.col("_t") - F.lag("_t").over(by_user)
    starts = pairs.withColumn("_starts", (gap.isNull() | (gap > width)).cast("int"))
    islands = (
        starts.withColumn("_island", F.sum("_starts").over(by_user.rowsBetween(Window.unboundedPreceding, 0)))
        .groupBy("user_id", "_island")
        .agg(F.min("_t").alias("_from"), F.max("_t").alias("_last"))
    )
    observed = events.select(F.unix_timestamp("event_minute").alias("_t")).distinct()
    deltas = (
        islands.select(F.col("_from").alias("_t"), F.lit(1).alias("_d"))
        .unionByName(islands.select((F.col("_last") + width).alias("_t"), F.lit(-1).alias("_d")))
        .unionByName(observed.select("_t", F.lit(0).alias("_d")))
        .groupBy("_t")
        .agg(F.sum("_d").alias("_d"))
    )
    # one partition on purpose: a running sum over at most a few thousand minute rows
    running = deltas.withColumn(
        name, F.sum("_d").over(Window.orderBy("_t").rowsBetween(Window.unboundedPreceding, 0))
    )
    return running.join(observed, "_t").select(F.timestamp_seconds("_t").alias("event_minute"), name)


def live_traffic(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    events = with_event_minute(events)
    newest = events.agg(F.max("event_minute").alias("_newest"))
    window_start = F.col("_newest") - F.expr(f"INTERVAL {contract.LIVE_WINDOW_MINUTES - 1} MINUTES")
    windowed = events.crossJoin(F.broadcast(newest)).where(F.col("event_minute") >= window_start)
    totals = windowed.groupBy(*GRAIN).agg(
        F.count(F.lit(1)).alias("event_count"), revenue(), F.max("event_time").alias("last_event_time")
    )
    result = totals.join(distinct_count(windowed, GRAIN, "user_id", "unique_users"), GRAIN)
    for minutes in contract.ACTIVE_USER_WINDOWS:
        name = f"active_users_{minutes}m"
        result = result.join(active_users(events, minutes, name), "event_minute")
    return conform(result, contract.LIVE_TRAFFIC)
