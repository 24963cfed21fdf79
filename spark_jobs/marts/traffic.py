"""Traffic marts: hourly event types, daily category and brand activity."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_jobs import contract
from spark_jobs.marts.common import distinct_count, funnel, with_unknowns
from spark_jobs.marts.options import DEFAULT_OPTIONS, MartOptions
from spark_jobs.schemas import conform


def event_type_by_hour(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    grain = ["event_date", "event_hour", "event_type"]
    counts = events.groupBy(*grain).agg(F.count(F.lit(1)).alias("event_count"))
    result = counts.join(distinct_count(events, grain, "user_id", "unique_users"), grain)
    return conform(result, contract.EVENT_TYPE_BY_HOUR)


def category_brand_daily(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    grain = ["event_date", "category_l1", "category_code", "brand"]
    return conform(funnel(with_unknowns(events), grain, sessions=False), contract.CATEGORY_BRAND_DAILY)
