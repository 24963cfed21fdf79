"""Journey marts (issue 14): the ordered funnel with a conversion window, cart abandonment with the
product held constant, and session paths. The definitions are the contract's table descriptions."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from spark_jobs import contract
from spark_jobs.marts.common import (
    first_within,
    is_event,
    lower_median,
    mean_to_cents,
    revenue,
    seconds_of,
    times_of,
    with_unknowns,
)
from spark_jobs.marts.options import DEFAULT_OPTIONS, MartOptions
from spark_jobs.marts.sessions import with_session_ids
from spark_jobs.schemas import conform


def funnel_ordered_daily(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    entries = (
        events.where(is_event("view"))
        .groupBy("user_id", F.col("event_date").alias("entry_date"))
        .agg(F.min(seconds_of("event_time")).alias("entry_s"))
        .withColumn("window_end_s", F.col("entry_s") + options.window_seconds)
    )
    user = ["user_id"]
    entries = first_within(
        entries, user, "entry_s", "window_end_s", {"cart_s": times_of(events, "cart", user)}
    )
    entries = first_within(
        entries, user, "cart_s", "window_end_s", {"purchase_s": times_of(events, "purchase", user)}
    )
    to_cart = F.col("cart_s") - F.col("entry_s")
    to_purchase = F.col("purchase_s") - F.col("entry_s")
    measured = entries.select("entry_date", to_cart.alias("to_cart"), to_purchase.alias("to_purchase"))
    result = measured.groupBy("entry_date").agg(
        F.count(F.lit(1)).alias("entrants"),
        F.count("to_cart").alias("reached_cart"),
        F.count("to_purchase").alias("reached_purchase"),
        mean_to_cents("to_cart").alias("avg_seconds_to_cart"),
        mean_to_cents("to_purchase").alias("avg_seconds_to_purchase"),
        lower_median(F.col("to_cart")).alias("median_seconds_to_cart"),
        lower_median(F.col("to_purchase")).alias("median_seconds_to_purchase"),
        F.lit(options.funnel_window_hours).alias("window_hours"),
    )
    return conform(result, contract.FUNNEL_ORDERED_DAILY)


def cart_abandonment_daily(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    # a cart's value, category and brand are its first cart event's (the smallest price, then
    # category and brand, on a tie of times, so the result does not depend on the row order). Ranked
    # in a window, not min(struct(...)): Sail keeps a struct minimum per group as one boxed value,
    # which under a bounded memory pool (fair, 3 GiB, 20 M rows) failed to allocate where a sort spills
    cart_events = (
        with_unknowns(events)
        .where(is_event("cart"))
        .withColumns({"cart_date": F.col("event_date"), "cart_s": seconds_of("event_time")})
    )
    in_order = Window.partitionBy("user_id", "product_id", "cart_date").orderBy(
        "cart_s", "price", "category_l1", "brand"
    )
    carts = (
        cart_events.withColumn("_rank", F.row_number().over(in_order))
        .where(F.col("_rank") == 1)
        .select("user_id", "product_id", "cart_date", "cart_s", "price", "category_l1", "brand")
        .withColumn("window_end_s", F.col("cart_s") + options.window_seconds)
    )
    product = ["user_id", "product_id"]
    targets = {
        "purchase_s": times_of(events, "purchase", product),
        "removal_s": times_of(events, "remove_from_cart", product),
    }
    carts = first_within(carts, product, "cart_s", "window_end_s", targets)
    purchased = F.col("purchase_s").isNotNull()
    result = carts.groupBy("cart_date", "category_l1", "brand").agg(
        F.count(F.lit(1)).alias("carts"),
        F.count("purchase_s").alias("purchased"),
        F.count(F.when(~purchased, True)).alias("abandoned"),
        F.count("removal_s").alias("removed"),
        F.coalesce(F.sum(F.when(~purchased, F.col("price"))), F.lit(0)).alias("abandoned_value"),
        F.coalesce(F.sum(F.when(purchased, F.col("price"))), F.lit(0)).alias("purchased_value"),
        lower_median(F.col("purchase_s") - F.col("cart_s")).alias("median_seconds_to_purchase"),
    )
    return conform(result, contract.CART_ABANDONMENT_DAILY)


def _path(steps: str) -> F.Column:
    """The event types of `steps` (sorted structs), consecutive repeats collapsed, the first steps joined."""
    types = F.transform(steps, lambda step: step["event_type"])
    # element_at is 1-based, so element_at(types, i) is the step before `kind`; the index is clamped to
    # 1 for the first step because Sail evaluates both sides of the OR (Spark short-circuits it) and
    # rejects index 0
    changes = F.filter(
        types, lambda kind, i: (i == 0) | (kind != F.element_at(types, F.greatest(i, F.lit(1))))
    )
    return F.array_join(F.slice(changes, 1, contract.PATH_STEPS), contract.PATH_SEPARATOR)


def session_paths_monthly(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    events = with_session_ids(events, options.session_gap_minutes)
    # SQL, not F.array_position(array, column): PySpark 3.5 takes only a literal value there
    kinds = ", ".join(f"'{kind}'" for kind in contract.PATH_STEP_ORDER)
    tie_order = F.expr(f"array_position(array({kinds}), event_type)")
    per_session = events.groupBy("session_id").agg(
        F.min("event_time").alias("session_start"),
        F.array_sort(F.collect_list(F.struct("event_time", tie_order.alias("tie"), "event_type"))).alias(
            "steps"
        ),
        F.max(is_event("purchase").cast("int")).alias("purchasing"),
        revenue(),
    )
    paths = per_session.select(
        F.trunc(F.to_date("session_start"), "month").alias("session_month"),
        _path("steps").alias("path"),
        "purchasing",
        "revenue",
    )
    result = paths.groupBy("session_month", "path").agg(
        F.count(F.lit(1)).alias("sessions"),
        F.sum("purchasing").alias("purchasing_sessions"),
        F.sum("revenue").alias("revenue"),
    )
    return conform(result, contract.SESSION_PATHS_MONTHLY)
