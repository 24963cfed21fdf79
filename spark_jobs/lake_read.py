"""Reading Parquet back from the lake, the same on every engine.

- The schema is given, not inferred: a partition column lives only in folder names
  (`event_date=2019-10-01`), and the engines read those differently (classic Spark infers a date,
  Sail 0.7.2 a string, so a filter or a comparison on it would behave differently). Given the
  contract's schema, both read the contract's type.
- A missing path or a folder without data files is an error on both: classic Spark raises, Sail 0.7.2
  reads it as no rows, which would silently turn a wrong path into an empty month.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from spark_jobs import lake_io
from spark_jobs.contract import Table
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake
from spark_jobs.schemas import conform, spark_schema


class NoDataError(UserError):
    """A path that should hold Parquet files does not exist or holds none."""


def read_parquet(spark: SparkSession, uri: str, schema) -> DataFrame:
    """The Parquet files under `uri` (a file, folder or glob) read with `schema`; NoDataError if there are none."""
    if lake_io.first_data_file(uri) is None:
        if lake_io.exists(uri):
            raise NoDataError(
                f"{uri}: a folder that should hold Parquet files holds none (an empty or unfinished "
                "table?); run the step that writes it first"
            )
        raise NoDataError(f"no such file or folder: {uri}")
    return spark.read.schema(schema).parquet(uri)


def read_table(spark: SparkSession, lake: Lake, table: Table) -> DataFrame:
    """Every stored row of `table`, with exactly its contract columns, in the contract's order and types."""
    stored = read_parquet(spark, lake.spark_uri(lake.table_read_path(table)), spark_schema(table))
    return conform(stored, table)
