"""Analytics marts: pure functions from clean events (contract.EVENTS) to each mart of contract.MARTS.

One module per family, the way dbt projects keep one model per file: `traffic` (hourly event types,
category and brand activity), `live` (per minute over the last 48 hours), `funnels` (stage counts per grain), `sessions` (one row per session).
`common` holds the building blocks they share.

All distinct counts are exact. Missing category/brand are reported as 'unknown'. Every function
returns exactly the contract's columns, in order, with the contract's types.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame

from spark_jobs import contract
from spark_jobs.marts.funnels import funnel_by_brand, funnel_by_category, funnel_daily, product_funnel
from spark_jobs.marts.live import live_traffic
from spark_jobs.marts.sessions import sessions
from spark_jobs.marts.traffic import category_brand_daily, event_type_by_hour

BUILDERS: dict[str, Callable[[DataFrame], DataFrame]] = {
    "event_type_by_hour": event_type_by_hour,
    "funnel_daily": funnel_daily,
    "category_brand_daily": category_brand_daily,
    "funnel_by_category": funnel_by_category,
    "funnel_by_brand": funnel_by_brand,
    "product_funnel": product_funnel,
    "sessions": sessions,
    "live_traffic": live_traffic,
}
assert set(BUILDERS) == {table.name for table in contract.MARTS}, "every mart in the contract has a builder"
