"""Reading a lake table back, with the contract's columns and types, the same on every engine.

The schema is given, not inferred: a partition column lives only in folder names (`event_date=2019-10-01`),
and the engines read those differently (classic Spark infers a date, Sail 0.7.2 a string, so a filter or
a comparison on it would behave differently). Given the contract's schema, both read the contract's type.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from spark_jobs.contract import Table
from spark_jobs.lake import Lake
from spark_jobs.schemas import conform, spark_schema


def read_table(spark: SparkSession, lake: Lake, table: Table) -> DataFrame:
    """Every stored row of `table`, with exactly its contract columns, in the contract's order and types."""
    stored = spark.read.schema(spark_schema(table)).parquet(lake.spark_uri(lake.table_read_path(table)))
    return conform(stored, table)
