"""Analytics marts: pure functions from clean events (contract.EVENTS) to each mart of contract.MARTS.

All distinct counts are exact. Missing category/brand are reported as 'unknown'. Every function
returns exactly the contract's columns, in order, with the contract's types.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_jobs import contract
from spark_jobs.schemas import conform


def _is(event_type: str) -> SparkColumn:
    return F.col("event_type") == event_type


def _count_of(event_type: str) -> SparkColumn:
    return F.count(F.when(_is(event_type), True)).alias(f"{event_type}_count")


def _revenue() -> SparkColumn:
    return F.coalesce(F.sum(F.when(_is("purchase"), F.col("price"))), F.lit(0)).alias("revenue")


def _event_counts() -> list[SparkColumn]:
    return [_count_of(stage) for stage in contract.FUNNEL_STAGES]


USER_MEASURES = ("viewers", "carters", "purchasers")
SESSION_MEASURES = tuple(f"{stage}_sessions" for stage in contract.FUNNEL_STAGES)


# Exact distinct counts "per stage" are computed as independent aggregations joined on the grain:
# the totals straight from the events, and per key (user or session) one row per (grain, key) with a
# 0/1 flag per stage, summed per grain. Spark plans several countDistinct(when(stage, key)) with an
# Expand that copies every event once per distinct expression (7 copies for a funnel); an earlier
# version shared one (grain, user, session) pre-aggregate between the three parts, which shuffled
# that wide pre-aggregate three times. Reading the events' few columns again is cheaper than both:
# at 10 M rows funnel_by_brand 35.6 s -> 16.5 s, funnel_daily 12.1 -> 7.2 s, product_funnel
# 15.2 -> 7.6 s (the README's Performance section). Same numbers; the bench compares them with
# DuckDB's count(DISTINCT ...).
def _keys_per_stage(events: DataFrame, grain: list[str], key: str, names: tuple[str, ...]) -> DataFrame:
    """Per grain: how many distinct `key` values have at least one event of each stage."""
    flags = events.groupBy(*grain, key).agg(
        *(F.max(_is(stage).cast("int")).alias(f"_has_{stage}") for stage in contract.FUNNEL_STAGES)
    )
    return flags.groupBy(*grain).agg(
        *(
            F.sum(f"_has_{stage}").alias(name)
            for stage, name in zip(contract.FUNNEL_STAGES, names, strict=True)
        )
    )


def _funnel(events: DataFrame, grain: list[str], sessions: bool = True) -> DataFrame:
    """Event counts, distinct users (and sessions) per stage, and revenue, per grain."""
    totals = events.groupBy(*grain).agg(*_event_counts(), _revenue())
    result = totals.join(_keys_per_stage(events, grain, "user_id", USER_MEASURES), grain)
    if sessions:
        result = result.join(_keys_per_stage(events, grain, "user_session", SESSION_MEASURES), grain)
    return result


def with_unknowns(events: DataFrame) -> DataFrame:
    """Missing category and brand become the literal 'unknown' (marts group on them)."""
    return events.withColumns(
        {
            name: F.coalesce(F.col(name), F.lit(contract.UNKNOWN))
            for name in ("category_l1", "category_code", "brand")
        }
    )


def with_event_month(events: DataFrame) -> DataFrame:
    return events.withColumn("event_month", F.trunc("event_date", "month"))


def _distinct_count(events: DataFrame, grain: list[str], key: str, name: str) -> DataFrame:
    """Per grain, the number of distinct non-NULL `key` values (exact).

    Joined to the grain's other measures rather than computed with countDistinct next to them: Spark
    then keeps every other aggregate's buffer in the (grain, key) hash map, which spilled with a 2 GiB
    heap; category_brand_daily at 10 M rows took 17-20 s that way and 11-13 s this way.
    """
    keys = events.select(*grain, key).where(F.col(key).isNotNull()).distinct()
    return keys.groupBy(*grain).agg(F.count(F.lit(1)).alias(name))


def event_type_by_hour(events: DataFrame) -> DataFrame:
    grain = ["event_date", "event_hour", "event_type"]
    counts = events.groupBy(*grain).agg(F.count(F.lit(1)).alias("event_count"))
    result = counts.join(_distinct_count(events, grain, "user_id", "unique_users"), grain)
    return conform(result, contract.EVENT_TYPE_BY_HOUR)


def funnel_daily(events: DataFrame) -> DataFrame:
    return conform(_funnel(events, ["event_date"]), contract.FUNNEL_DAILY)


def category_brand_daily(events: DataFrame) -> DataFrame:
    grain = ["event_date", "category_l1", "category_code", "brand"]
    events = with_unknowns(events)
    totals = events.groupBy(*grain).agg(*_event_counts(), _revenue())
    result = totals.join(_distinct_count(events, grain, "user_id", "unique_users"), grain)
    return conform(result, contract.CATEGORY_BRAND_DAILY)


def funnel_by_category(events: DataFrame) -> DataFrame:
    result = _funnel(with_event_month(with_unknowns(events)), ["event_month", "category_l1"])
    return conform(result, contract.FUNNEL_BY_CATEGORY)


def funnel_by_brand(events: DataFrame) -> DataFrame:
    result = _funnel(with_event_month(with_unknowns(events)), ["event_month", "brand"])
    return conform(result, contract.FUNNEL_BY_BRAND)


def product_funnel(events: DataFrame) -> DataFrame:
    result = _funnel(with_event_month(events), ["event_month", "product_id"], sessions=False)
    return conform(result, contract.PRODUCT_FUNNEL)


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
        *_event_counts(),
        _revenue(),
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


BUILDERS: dict[str, Callable[[DataFrame], DataFrame]] = {
    "event_type_by_hour": event_type_by_hour,
    "funnel_daily": funnel_daily,
    "category_brand_daily": category_brand_daily,
    "funnel_by_category": funnel_by_category,
    "funnel_by_brand": funnel_by_brand,
    "product_funnel": product_funnel,
    "sessions": sessions,
}
assert set(BUILDERS) == {table.name for table in contract.MARTS}, "every mart in the contract has a builder"
