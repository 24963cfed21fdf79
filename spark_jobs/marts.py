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
from spark_jobs.contract import Table
from spark_jobs.schemas import spark_type


def _conform(df: DataFrame, table: Table) -> DataFrame:
    """Select the table's columns in order, cast to the contract's types."""
    return df.select(*(F.col(c.name).cast(spark_type(c)).alias(c.name) for c in table.columns))


def _is(event_type: str) -> SparkColumn:
    return F.col("event_type") == event_type


def _count_of(event_type: str) -> SparkColumn:
    return F.count(F.when(_is(event_type), True)).alias(f"{event_type}_count")


def _distinct_with(event_type: str, key: str, alias: str) -> SparkColumn:
    return F.countDistinct(F.when(_is(event_type), F.col(key))).alias(alias)


def _revenue() -> SparkColumn:
    return F.coalesce(F.sum(F.when(_is("purchase"), F.col("price"))), F.lit(0)).alias("revenue")


def _event_counts() -> list[SparkColumn]:
    return [_count_of(stage) for stage in contract.FUNNEL_STAGES]


def _users_by_stage() -> list[SparkColumn]:
    return [
        _distinct_with("view", "user_id", "viewers"),
        _distinct_with("cart", "user_id", "carters"),
        _distinct_with("purchase", "user_id", "purchasers"),
    ]


def _funnel_measures() -> list[SparkColumn]:
    sessions = [
        _distinct_with(stage, "user_session", f"{stage}_sessions") for stage in contract.FUNNEL_STAGES
    ]
    return [*_users_by_stage(), *sessions, _revenue()]


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
    return _conform(result, contract.EVENT_TYPE_BY_HOUR)


def funnel_daily(events: DataFrame) -> DataFrame:
    result = events.groupBy("event_date").agg(*_event_counts(), *_funnel_measures())
    return _conform(result, contract.FUNNEL_DAILY)


def category_brand_daily(events: DataFrame) -> DataFrame:
    result = (
        with_unknowns(events)
        .groupBy("event_date", "category_l1", "category_code", "brand")
        .agg(*_event_counts(), F.countDistinct("user_id").alias("unique_users"), _revenue())
    )
    return _conform(result, contract.CATEGORY_BRAND_DAILY)


def funnel_by_category(events: DataFrame) -> DataFrame:
    result = (
        with_event_month(with_unknowns(events)).groupBy("event_month", "category_l1").agg(*_funnel_measures())
    )
    return _conform(result, contract.FUNNEL_BY_CATEGORY)


def funnel_by_brand(events: DataFrame) -> DataFrame:
    result = with_event_month(with_unknowns(events)).groupBy("event_month", "brand").agg(*_funnel_measures())
    return _conform(result, contract.FUNNEL_BY_BRAND)


def product_funnel(events: DataFrame) -> DataFrame:
    result = (
        with_event_month(events)
        .groupBy("event_month", "product_id")
        .agg(*_event_counts(), *_users_by_stage(), _revenue())
    )
    return _conform(result, contract.PRODUCT_FUNNEL)


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
    return _conform(result, contract.SESSIONS)


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
