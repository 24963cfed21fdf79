"""Funnel marts: stages counted per grain (day, month x category, brand, product)."""

from __future__ import annotations

from pyspark.sql import DataFrame

from spark_jobs import contract
from spark_jobs.marts.common import funnel, with_event_month, with_unknowns
from spark_jobs.marts.options import DEFAULT_OPTIONS, MartOptions
from spark_jobs.marts.sessions import with_session_ids
from spark_jobs.schemas import conform


def funnel_daily(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    events = with_session_ids(events, options.session_gap_minutes)
    return conform(funnel(events, ["event_date"]), contract.FUNNEL_DAILY)


def funnel_by_category(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    events = with_session_ids(events, options.session_gap_minutes)
    result = funnel(with_event_month(with_unknowns(events)), ["event_month", "category_l1"])
    return conform(result, contract.FUNNEL_BY_CATEGORY)


def funnel_by_brand(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    events = with_session_ids(events, options.session_gap_minutes)
    result = funnel(with_event_month(with_unknowns(events)), ["event_month", "brand"])
    return conform(result, contract.FUNNEL_BY_BRAND)


def product_funnel(events: DataFrame, options: MartOptions = DEFAULT_OPTIONS) -> DataFrame:
    result = funnel(with_event_month(events), ["event_month", "product_id"], sessions=False)
    return conform(result, contract.PRODUCT_FUNNEL)
