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
    return [count_of(event_type) for event_type in contract.EVENT_TYPES]


# Exact distinct counts "per stage" are computed as independent aggregations joined on the grain:
# the totals straight from the events, and per key (user or session) one row per (grain, key) with a
# 0/1 flag per stage, summed per grain. Spark plans several countDistinct(when(stage, key)) with an
# Expand that copies every event once per distinct expression (7 copies for a funnel); an earlier
# version shared one (grain, user, session) pre-aggregate between the three parts, which shuffled
# that wide pre-aggregate three times. Reading the events' few columns again is cheaper than both:
# at 10 M rows funnel_by_brand 35.6 s -> 16.5 s, funnel_daily 12.1 -> 7.2 s, product_funnel
# 15.2 -> 7.6 s (the README's Performance section). Same numbers; the bench compares them with
# DuckDB's count(DISTINCT ...).
def keys_per_set(
    events: DataFrame, grain: list[str], key: str, sets: dict[str, tuple[str, ...]]
) -> DataFrame:
    """Per grain: how many distinct `key` values are in each set (contract.USER_SETS / SESSION_SETS).

    A key is in a set when it has at least one event of each of the set's event types in the grain;
    the empty set of types means any event. Intersections (viewers_who_carted, ...) come from the same
    per-key flags, so a rate's numerator is always counted inside its denominator.
    """
    flags = events.groupBy(*grain, key).agg(
        *(
            F.max(is_event(event_type).cast("int")).alias(f"_has_{event_type}")
            for event_type in contract.EVENT_TYPES
        )
    )
    return flags.groupBy(*grain).agg(*(_members(types).alias(name) for name, types in sets.items()))


def _members(event_types: tuple[str, ...]) -> SparkColumn:
    if not event_types:
        return F.count(F.lit(1))
    product = F.col(f"_has_{event_types[0]}")
    for event_type in event_types[1:]:
        product = product * F.col(f"_has_{event_type}")
    return F.sum(product)


def funnel(events: DataFrame, grain: list[str], sessions: bool = True) -> DataFrame:
    """Event counts, distinct users (and sessions: `session_id`) per stage, and revenue, per grain."""
    totals = events.groupBy(*grain).agg(*event_counts(), revenue())
    result = totals.join(keys_per_set(events, grain, "user_id", contract.USER_SETS), grain)
    if sessions:
        result = result.join(keys_per_set(events, grain, "session_id", contract.SESSION_SETS), grain)
    return result


def with_unknowns(events: DataFrame) -> DataFrame:
    """The marts' category and brand grain: no NULL keys.

    A missing category_code falls back to the event's category_id, labelled as such
    (contract.CATEGORY_ID_LABEL, e.g. 'category_id 1487580005092295511') in both category_l1 and
    category_code: 97.5-98.3% of the real cosmetics events have no category_code, and one 'unknown'
    bucket then held 96-98% of the revenue. A missing brand becomes the literal 'unknown'.
    """
    by_id = F.concat(F.lit(contract.CATEGORY_ID_LABEL), F.col("category_id").cast("string"))
    return events.withColumns(
        {
            "category_l1": F.coalesce(F.col("category_l1"), by_id),
            "category_code": F.coalesce(F.col("category_code"), by_id),
            "brand": F.coalesce(F.col("brand"), F.lit(contract.UNKNOWN)),
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


# Each row of a journey mart's intermediate frames is used once: Sail recomputes a frame for every
# use (its `persist` is a no-op), and the earlier form, an inner join of the rows with the targets
# joined back to the rows, with the medians as windows joined back to the totals, computed the carts
# of cart_abandonment_daily eight times and the entries of funnel_ordered_daily twelve.
#
# Matched by sorting, not joined: a (key, time) window over the rows and their targets together. The
# earlier form, a left join of the rows with the targets on the key and the interval, then the
# smallest matched time per row, held the join's hash table in memory: under a bounded memory pool
# (Sail's fair pool of 3 GiB, 20 M rows) cart_abandonment_daily failed with "Failed to allocate ...
# FinalHashAggregateStream" while the sort below spills. Same rows (compared at 10 M rows), about the
# same time (Sail 10 M rows: 3.5-4.7 s joined, 4.6-5.5 s sorted), and one sort serves several targets.
def first_within(
    rows: DataFrame, key: list[str], start: str, end: str, targets: dict[str, DataFrame]
) -> DataFrame:
    """`rows` with one column per entry of `targets`: the first target time `t` (seconds) with
    start <= t <= end among that target frame's rows of the same `key`, NULL if none (or if start is
    NULL).

    Each target frame holds `key` and `t` (duplicates do not matter). The rows and the targets are
    ordered per key by time, latest first, a target before a row at the same time; the running
    minimum of a kind's target times down to a row is then its first target at or after `start`,
    kept when it is not after `end`.
    """
    tagged = rows.withColumns({"_at": F.col(start), "_kind": F.lit(0)})
    for kind, frame in enumerate(targets.values(), start=1):
        marked = frame.select(*key, F.col("t").alias("_at"), F.lit(kind).alias("_kind"))
        tagged = tagged.unionByName(marked, allowMissingColumns=True)
    down_to_row = (
        Window.partitionBy(*key)
        .orderBy(F.col("_at").desc(), F.col("_kind").desc())
        .rowsBetween(Window.unboundedPreceding, Window.currentRow)
    )
    firsts = {
        name: F.min(F.when(F.col("_kind") == kind, F.col("_at"))).over(down_to_row)
        for kind, name in enumerate(targets, start=1)
    }
    matched = tagged.withColumns(firsts).where(F.col("_kind") == 0)
    within = {name: F.col(name) <= F.col(end) for name in targets}
    return matched.select(
        *rows.columns,
        *(
            F.when(F.col(start).isNotNull() & inside, F.col(name)).alias(name)
            for name, inside in within.items()
        ),
    )


def times_of(events: DataFrame, event_type: str, key: list[str]) -> DataFrame:
    """The (key, t) of one event type's events: what `first_within` matches against."""
    return events.where(is_event(event_type)).select(*key, seconds_of("event_time").alias("t"))


def lower_median(value: SparkColumn) -> SparkColumn:
    """An aggregate: the exact median of the non-NULL `value`s, the lower middle one for an even count
    (NULL when none).

    The ((n + 1) div 2)-th of the sorted values rather than percentile_disc: the same result on every
    engine the project runs on, and an aggregate beside the grain's other measures, not a window joined
    back to them. The index is kept >= 1 for an empty list (Sail evaluates an expression's arguments
    even where its result is not used) and try_element_at gives NULL there.
    """
    values = F.array_sort(F.collect_list(value))
    middle = F.greatest(F.floor((F.size(values) + 1) / 2).cast("int"), F.lit(1))
    return F.try_element_at(values, middle)


def mean_to_cents(value: str) -> SparkColumn:
    """The mean of integer `value`s rounded half up to 0.01, in integer arithmetic (NULL when none).

    round(100 * sum / n) = floor((200 * sum + n) / (2 * n)): the same cents on every engine, where a
    floating-point mean cast to a decimal could round a .xx5 either way.
    """
    cents = F.expr(f"(sum({value}) * 200 + count({value})) div (count({value}) * 2)")
    return F.when(F.count(F.col(value)) > 0, cents / F.lit(100.0))
