"""Read the dashboard's rows from the warehouse views (DuckDB file, read-only connection).

Only views are read, each with a plain `SELECT * ... ORDER BY` (and, for the category/brand ranking, the
latest month): every number on the page is a value some view computed, so the dashboard and the Looker
Studio report built on the same views cannot disagree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from spark_jobs.dashboard import journeys
from spark_jobs.errors import UserError

LOAD_HINT = "build it with `python -m spark_jobs load --target duckdb --lake data/lake --warehouse FILE`"

# field of DashboardData -> (view, SQL after FROM <view>)
QUERIES: dict[str, tuple[str, str]] = {
    "coverage": ("v_dash_coverage", ""),
    "kpis": ("v_dash_kpis", "ORDER BY metric_order"),
    "daily": ("v_session_kpis", "ORDER BY session_date"),
    "funnel": ("v_dash_funnel", "ORDER BY unit DESC, stage_order"),
    "hourly": ("v_dash_hourly_traffic", "ORDER BY event_type, event_hour"),
    "event_mix": ("v_dash_event_mix", "ORDER BY events DESC, event_type"),
    "peak_hours": ("v_dash_hours", "ORDER BY traffic_rank, event_hour"),
    # One month: distinct viewers and buyers of several months cannot be added up.
    "segments": (
        "v_category_brand_ranking",
        "WHERE event_month = (SELECT MAX(event_month) FROM v_category_brand_ranking) "
        "ORDER BY dimension DESC, revenue_rank, segment",  # categories first
    ),
    "session_breakdown": ("v_dash_session_breakdown", "ORDER BY measure, bucket_order"),
    "quality_batches": ("v_data_quality_batches", "ORDER BY batch_id"),
    "quality_detail": ("v_data_quality", "ORDER BY batch_id, outcome, row_count DESC, reason"),
    "live": ("v_live_last_hour", "ORDER BY event_minute"),  # the "Last hour" section (dashboard/live.py)
}


@dataclass(frozen=True)
class DashboardData:
    """Rows of each view the page shows, as dicts (NUMERIC as float)."""

    coverage: list[dict]
    kpis: list[dict]
    daily: list[dict]
    funnel: list[dict]
    hourly: list[dict]
    event_mix: list[dict]
    peak_hours: list[dict]
    segments: list[dict]
    session_breakdown: list[dict]
    quality_batches: list[dict]
    quality_detail: list[dict]
    live: list[dict]
    journeys: dict[str, list[dict]]  # spark_jobs.dashboard.journeys.QUERIES' rows


def _plain(value):
    # Decimal (NUMERIC columns) is not JSON-serialisable for the page; the value itself is unchanged.
    return float(value) if isinstance(value, Decimal) else value


def fetch_view(con: duckdb.DuckDBPyConnection, view: str, tail: str = "") -> list[dict]:
    return fetch_sql(con, f"SELECT * FROM {view} {tail}", view)


def fetch_sql(con: duckdb.DuckDBPyConnection, sql: str, views: str) -> list[dict]:
    try:
        cursor = con.execute(sql)
    except duckdb.CatalogException:
        raise UserError(
            f"the warehouse has no view {views}; reload it so the views are (re)created"
        ) from None
    names = [column[0] for column in cursor.description]
    return [
        {name: _plain(value) for name, value in zip(names, row, strict=True)} for row in cursor.fetchall()
    ]


def read_dashboard_data(warehouse: str) -> DashboardData:
    if not os.path.isfile(warehouse):
        raise UserError(f"warehouse not found: {warehouse}; {LOAD_HINT}")
    try:
        connection = duckdb.connect(warehouse, read_only=True)
    except duckdb.Error as error:  # not a DuckDB file, or locked by a running load
        raise UserError(f"cannot open the warehouse {warehouse}: {error}") from None
    with connection as con:
        con.execute("SET TimeZone='UTC'")
        rows = {field: fetch_view(con, view, tail) for field, (view, tail) in QUERIES.items()}
        rows["journeys"] = {
            field: fetch_sql(con, sql, "v_journey_*") for field, sql in journeys.QUERIES.items()
        }
    if not rows["coverage"] or rows["coverage"][0]["first_event_time"] is None:
        raise UserError(f"the warehouse {warehouse} holds no sessions; {LOAD_HINT}")
    return DashboardData(**rows)
