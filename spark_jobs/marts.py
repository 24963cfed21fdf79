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


# Exact distinct counts "per stage" are computed in two steps: one row per (grain, user) or
# (grain, session) with a 0/1 flag per stage, then the flags summed per grain. Spark plans several
# countDistinct(when(stage, key)) with an Expand that copies every event once per distinct
# expression (7 copies for a funnel) and keeps all the copies' keys in its hash maps; this plan
# shuffles partial aggregates instead and gives the same numbers. At 10 M rows it took
# funnel_by_brand from 38 s to 29 s and funnel_daily from 11 s to 10 s, and left funnel_by_category
# and product_funnel unchanged (the README's Performance section).
def _by_key(events: DataFrame, grain: list[str], keys: list[str]) -> DataFrame:
    """One row per (grain, keys): a 0/1 flag per funnel stage, event counts and revenue."""
    return events.groupBy(*grain, *keys).agg(
        *(F.max(_is(stage).cast("int")).alias(f"_has_{stage}") for stage in contract.FUNNEL_STAGES),
        *_event_counts(),
        _revenue(),
    )


def _stage_keys(per_key: DataFrame, grain: list[str], key: str, names: tuple[str, ...]) -> DataFrame:
    """Per grain: how many distinct `key` values have at least one event of each stage."""
    flags = per_key.groupBy(*grain, key).agg(
        *(F.max(f"_has_{stage}").alias(f"_has_{stage}") for stage in contract.FUNNEL_STAGES)
    )
    return flags.groupBy(*grain).agg(
        *(
            F.sum(f"_has_{stage}").alias(name)
            for stage, name in zip(contract.FUNNEL_STAGES, names, strict=True)
        )
    )


def _totals(per_key: DataFrame, grain: list[str]) -> DataFrame:
    return per_key.groupBy(*grain).agg(
        *(F.sum(f"{stage}_count").alias(f"{stage}_count") for stage in contract.FUNNEL_STAGES),
        F.coalesce(F.sum("revenue"), F.lit(0)).alias("revenue"),
    )


def _funnel(events: DataFrame, grain: list[str], sessions: bool = True) -> DataFrame:
    """Event counts, distinct users (and sessions) per stage, and revenue, per grain."""
    keys = ["user_id", "user_session"] if sessions else ["user_id"]
    per_key = _by_key(events, grain, keys)
    result = _totals(per_key, grain).join(_stage_keys(per_key, grain, "user_id", USER_MEASURES), grain)
    if sessions:
        result = result.join(_stage_keys(per_key, grain, "user_session", SESSION_MEASURES), grain)
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


def event_type_by_hour(events: DataFrame) -> DataFrame:
    result = events.groupBy("event_date", "event_hour", "event_type").agg(
        F.count(F.lit(1)).alias("event_count"),
        F.countDistinct("user_id").alias("unique_users"),
    )
    return conform(result, contract.EVENT_TYPE_BY_HOUR)


def funnel_daily(events: DataFrame) -> DataFrame:
    return conform(_funnel(events, ["event_date"]), contract.FUNNEL_DAILY)


def category_brand_daily(events: DataFrame) -> DataFrame:
    result = (
        with_unknowns(events)
        .groupBy("event_date", "category_l1", "category_code", "brand")
        .agg(*_event_counts(), F.countDistinct("user_id").alias("unique_users"), _revenue())
    )
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


def sessions(events: DataFrame) -> DataFrame:
    """One row per user_session over all the events given (a session crossing midnight stays one row)."""
    grouped = events.groupBy("user_session").agg(
        # min of (time, user) picks the first event's user, the smallest user_id on a tie
        F.min(F.struct("event_time", "user_id")).getField("user_id").alias("user_id"),
        F.min("event_time").alias("session_start"),
        F.max("event_time").alias("session_end"),
        F.count(F.lit(1)).alias("event_count"),
        *_event_counts(),
        _revenue(),
    )
    result = grouped.select(
        "*",
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
