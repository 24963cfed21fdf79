"""Session marts: one row per session."""

from __future__ import annotations

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_jobs import contract
from spark_jobs.marts.common import event_counts, revenue
from spark_jobs.schemas import conform


# A session's user is its first event's user, the smallest user_id on a tie: the minimum of
# (event_time, user_id). Spark aggregates min(struct(...)) only by sorting (SortAggregate: every event
# sorted twice), so the pair is packed into one DECIMAL(38,0), microseconds * 10^19 + user_id (a
# positive BIGINT is below 10^19 and microseconds up to year 9999 take 18 digits), which a hash
# aggregate handles: at 10 M rows the sessions mart went from 12.7 s to 6.3 s.
def _user_id_span() -> SparkColumn:
    return F.expr("CAST(10000000000000000000 AS DECIMAL(38,0))")


def _time_then_user() -> SparkColumn:
    return F.expr("unix_micros(event_time)").cast("decimal(38,0)") * _user_id_span() + F.col("user_id")


def sessions(events: DataFrame) -> DataFrame:
    """One row per user_session over all the events given (a session crossing midnight stays one row)."""
    grouped = events.groupBy("user_session").agg(
        F.min(_time_then_user()).alias("_first_event"),
        F.min("event_time").alias("session_start"),
        F.max("event_time").alias("session_end"),
        F.count(F.lit(1)).alias("event_count"),
        *event_counts(),
        revenue(),
    )
    result = grouped.select(
        "*",
        F.pmod("_first_event", _user_id_span()).cast("bigint").alias("user_id"),
        (F.unix_timestamp("session_end") - F.unix_timestamp("session_start")).alias("duration_seconds"),
        F.when(F.col("purchase_count") > 0, "purchase")
        .when(F.col("cart_count") > 0, "cart")
        .otherwise("view")
        .alias("furthest_stage"),
        F.to_date("session_start").alias("session_date"),
    )
    return conform(result, contract.SESSIONS)
