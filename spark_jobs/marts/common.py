"""Building blocks shared by the mart families: stage flags, counts, revenue, exact distinct counts."""

from __future__ import annotations

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from spark_jobs import contract


def is_event(event_type: str) -> SparkColumn:
    return F.col("event_type") == event_type


def count_of(event_type: str) -> SparkColumn:
    return F.count(F.when(is_event(event_type), True)).alias(f"{event_type}_count")


def revenue() -> SparkColumn:
    return F.coalesce(F.sum(F.when(is_event("purchase"), F.col("price"))), F.lit(0)).alias("revenue")


def event_counts() -> list[SparkColumn]:
    return [count_of(stage) for stage in contract.FUNNEL_STAGES]


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
def keys_per_stage(events: DataFrame, grain: list[str], key: str, names: tuple[str, ...]) -> DataFrame:
    """Per grain: how many distinct `key` values have at least one event of each stage."""
    flags = events.groupBy(*grain, key).agg(
        *(F.max(is_event(stage).cast("int")).alias(f"_has_{stage}") for stage in contract.FUNNEL_STAGES)
    )
    return flags.groupBy(*grain).agg(
        *(
            F.sum(f"_has_{stage}").alias(name)
            for stage, name in zip(contract.FUNNEL_STAGES, names, strict=True)
        )
    )


def funnel(events: DataFrame, grain: list[str], sessions: bool = True) -> DataFrame:
    """Event counts, distinct users (and sessions: `session_id`) per stage, and revenue, per grain."""
    totals = events.groupBy(*grain).agg(*event_counts(), revenue())
    result = totals.join(keys_per_stage(events, grain, "user_id", USER_MEASURES), grain)
    if sessions:
        result = result.join(keys_per_stage(events, grain, "session_id", SESSION_MEASURES), grain)
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


def distinct_count(events: DataFrame, grain: list[str], key: str, name: str) -> DataFrame:
    """Per grain, the number of distinct non-NULL `key` values (exact).

    Joined to the grain's other measures rather than computed with countDistinct next to them: Spark
    then keeps every other aggregate's buffer in the (grain, key) hash map, which spilled with a 2 GiB
    heap; category_brand_daily at 10 M rows took 17-20 s that way and 11-13 s this way.
    """
    keys = events.select(*grain, key).where(F.col(key).isNotNull()).distinct()
    return keys.groupBy(*grain).agg(F.count(F.lit(1)).alias(name))


def seconds_of(column: str) -> SparkColumn:
    """A timestamp as whole seconds since the epoch (the source's times are whole seconds)."""
    return F.unix_timestamp(F.col(column))


def first_within(
    rows: DataFrame,
    row_key: list[str],
    join_key: list[str],
    targets: DataFrame,
    start: str,
    end: str,
    name: str,
) -> DataFrame:
    """`rows` with `name`: the first target time `t` (seconds) with start <= t <= end, NULL if none.

    `targets` holds `join_key` and `t`; each row (identified by `row_key`) is matched with the targets
    of the same `join_key` (a user, or a user and product) inside its interval.
    """
    matched = (
        rows.select(*row_key, start, end)
        .join(targets, join_key)
        .where(F.col("t").between(F.col(start), F.col(end)))
        .groupBy(*row_key)
        .agg(F.min("t").alias(name))
    )
    return rows.join(matched, row_key, "left")


def times_of(events: DataFrame, event_type: str, key: list[str]) -> DataFrame:
    """The distinct (key, t) of one event type: what `first_within` matches against."""
    return events.where(is_event(event_type)).select(*key, seconds_of("event_time").alias("t")).distinct()


def lower_median(frame: DataFrame, grain: list[str], value: str, name: str) -> DataFrame:
    """Per grain, the exact median of the non-NULL `value`s; the lower middle value for an even count.

    A rank rather than percentile_disc: the same result on every engine the project runs on.
    """
    by_grain = Window.partitionBy(*grain)
    ranked = frame.where(F.col(value).isNotNull()).select(
        *grain,
        value,
        F.row_number().over(by_grain.orderBy(value)).alias("_rank"),
        F.count(F.lit(1)).over(by_grain).alias("_present"),
    )
    middle = ranked.where(F.col("_rank") == F.expr("(_present + 1) div 2"))
    return middle.select(*grain, F.col(value).alias(name))


def mean_to_cents(value: str) -> SparkColumn:
    """The mean of integer `value`s rounded half up to 0.01, in integer arithmetic (NULL when none).

    round(100 * sum / n) = floor((200 * sum + n) / (2 * n)): the same cents on every engine, where a
    floating-point mean cast to a decimal could round a .xx5 either way.
    """
    cents = F.expr(f"(sum({value}) * 200 + count({value})) div (count({value}) * 2)")
    return F.when(F.count(F.col(value)) > 0, cents / F.lit(100.0))
