"""Session marts: sessions split by inactivity (`with_session_ids`), one row per session."""

from __future__ import annotations

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from spark_jobs import contract
from spark_jobs.marts.common import event_counts, revenue
from spark_jobs.marts.options import DEFAULT_OPTIONS, MartOptions
from spark_jobs.schemas import conform


def with_session_ids(events: DataFrame, gap_minutes: int) -> DataFrame:
    """The events with `session_index` and `session_id` (contract.SESSION_ID's definition).

    Within one user_session, ordered by event_time, a part starts at the first event and after every
    gap of more than `gap_minutes` to the previous event; 0 keeps user_session whole. Events that
    already carry a session_id (build_marts adds it once for several marts) are returned as they are.
    On a tie of event_time the gap between the tied events is 0, so whichever comes first in the sort,
    the tied events fall in the same part.
    """
    if "session_id" in events.columns:
        return events
    if gap_minutes == 0:
        return events.withColumns(
            {"session_index": F.lit(1).cast("bigint"), "session_id": F.col("user_session")}
        )
    in_session = Window.partitionBy("user_session").orderBy("event_time")
    micros = F.expr("unix_micros(event_time)")
    starts_part = F.coalesce(
        (micros - F.lag(micros).over(in_session)) > gap_minutes * 60_000_000, F.lit(False)
    )
    marked = events.withColumn("_starts_part", starts_part.cast("bigint"))
    index = (
        F.sum("_starts_part").over(in_session.rowsBetween(Window.unboundedPreceding, Window.currentRow)) + 1
    )
    indexed = marked.withColumn("session_index", index).drop("_starts_part")
    return indexed.withColumn(
        "session_id",
        F.when(F.col("session_index") == 1, F.col("user_session")).otherwise(
            F.concat(F.col("user_session"), F.lit("#"), F.col("session_index").cast("string"))
        ),
    )


# A session's user is its first event's user, the smallest user_id on a tie: the minimum of
# (event_time, user_id). Spark aggregates min(struct(...)) only by sorting (SortAggregate: every event
# sorted twice), so the pair is packed into one DECIMAL(38,0), microseconds * 10^19 + user_id (a
# positive BIGINT is below 10^19 and microseconds up to year 9999 take 18 digits), which a hash
# aggregate handles: at 10 M rows the sessions mart went from 12.7 s to 6.3 s.
def _user_id_span() -> SparkColumn:
    return F.expr("CAST(10000000000000000000 AS DECIMAL(38,0))")


def _time_then_user() -> SparkColumn:
    return F.expr("unix_micros(event_time)").cast("decimal(38,0)") * _user_id_span() + F.col("user_id")


def sessions(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    """One row per session_id over all the events given (a session crossing midnight stays one row)."""
    events = with_session_ids(events, options.session_gap_minutes)
    grouped = events.groupBy("session_id", "user_session", "session_index").agg(
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
