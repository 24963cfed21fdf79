"""clean -> marts for one batch, with the end-of-run summary people read."""

from __future__ import annotations

import logging

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from spark_jobs import contract
from spark_jobs.jobs import build_marts, clean_batch
from spark_jobs.lake import Lake, batch_id_for
from spark_jobs.locks import lake_lock

log = logging.getLogger("spark_jobs.pipeline")


def run_pipeline(
    spark: SparkSession,
    inputs: list[str],
    lake: Lake,
    batch_id: str | None = None,
    max_quarantine_share: float = 0.01,
    months: list[str] | None = None,
) -> dict:
    batch_id = batch_id or batch_id_for(inputs[0])
    with lake_lock(lake, f"batch-{batch_id}"):  # held from clean to the summary; clean_batch re-enters it
        return _run_locked(spark, inputs, lake, batch_id, max_quarantine_share, months)


def _run_locked(spark, inputs, lake, batch_id, max_quarantine_share, months) -> dict:
    report = clean_batch(spark, inputs, lake, batch_id=batch_id, max_quarantine_share=max_quarantine_share)
    months = months or report.months
    mart_rows = build_marts(spark, lake, months)
    totals = funnel_totals(spark, lake, months)
    log.info("\n%s", format_summary(lake, report.rows_read, report.rows_valid, mart_rows, totals))
    return {"quality": report.to_dict(), "marts": mart_rows, "funnel": totals}


def funnel_totals(spark: SparkSession, lake: Lake, months: list[str]) -> dict:
    """Event counts and revenue over the months, from the funnel_daily mart (a few rows a month)."""
    daily = spark.read.parquet(lake.spark_uri(lake.table_path(contract.FUNNEL_DAILY)))
    daily = daily.where(F.date_format("event_date", "yyyy-MM").isin(months))
    row = daily.agg(
        *(
            F.coalesce(F.sum(name), F.lit(0)).alias(name)
            for name in ("view_count", "cart_count", "purchase_count")
        ),
        F.coalesce(F.sum("revenue"), F.lit(0)).alias("revenue"),
    ).first()
    return {key: (float(value) if key == "revenue" else int(value)) for key, value in row.asDict().items()}


def format_summary(
    lake: Lake, rows_read: int, rows_valid: int, mart_rows: dict[str, int], totals: dict
) -> str:
    views, carts, purchases = totals["view_count"], totals["cart_count"], totals["purchase_count"]
    lines = [
        "Pipeline finished",
        f"  rows read {rows_read:,}; clean events {rows_valid:,}",
        f"  funnel: {views:,} views -> {carts:,} carts -> {purchases:,} purchases; revenue {totals['revenue']:,.2f}",
        f"  clean events: {lake.table_path(contract.EVENTS)}",
        f"  quarantine:   {lake.table_path(contract.QUARANTINE)}",
        f"  quality:      {lake.path('quality')}",
        "  marts:",
    ]
    lines += [
        f"    {lake.table_path(contract.table(name))}  ({count:,} rows)" for name, count in mart_rows.items()
    ]
    return "\n".join(lines)
