"""Translations of the contract's types into each engine's types (Spark, BigQuery, DuckDB)."""

from __future__ import annotations

from spark_jobs.contract import Column, Table

DUCKDB_TYPES = {"STRING": "VARCHAR", "INT64": "BIGINT", "DATE": "DATE", "TIMESTAMP": "TIMESTAMPTZ"}


def spark_type(column: Column):
    from pyspark.sql import types as T

    if column.precision_scale:
        return T.DecimalType(*column.precision_scale)
    return {
        "STRING": T.StringType(),
        "INT64": T.LongType(),
        "DATE": T.DateType(),
        "TIMESTAMP": T.TimestampType(),
    }[column.type]


def spark_schema(table: Table):
    from pyspark.sql import types as T

    return T.StructType([T.StructField(c.name, spark_type(c), c.nullable) for c in table.columns])


def conform(df, table: Table):
    """`df` with exactly the table's columns, in the contract's order, cast to the contract's types."""
    from pyspark.sql import functions as F

    return df.select(*(F.col(c.name).cast(spark_type(c)).alias(c.name) for c in table.columns))


def arrow_type(column: Column):
    """The column's pyarrow type (timestamps as Spark writes them: microseconds, UTC)."""
    import pyarrow as pa

    if column.precision_scale:
        return pa.decimal128(*column.precision_scale)
    return {
        "STRING": pa.string(),
        "INT64": pa.int64(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us", tz="UTC"),
    }[column.type]


def arrow_schema(table: Table, without: tuple[str, ...] = ()):
    """The table's schema in pyarrow's types, without the columns named in `without`."""
    import pyarrow as pa

    return pa.schema([pa.field(c.name, arrow_type(c)) for c in table.columns if c.name not in without])


def bigquery_schema(table: Table) -> list[dict]:
    """The table's schema in BigQuery's JSON schema-file format."""
    fields = []
    for column in table.columns:
        field = {
            "name": column.name,
            "type": column.bigquery_type,
            "mode": "NULLABLE" if column.nullable else "REQUIRED",
            "description": column.description,
        }
        if column.precision_scale:
            field["precision"], field["scale"] = (str(v) for v in column.precision_scale)
        fields.append(field)
    return fields


def duckdb_type(column: Column) -> str:
    if column.precision_scale:
        return "DECIMAL({},{})".format(*column.precision_scale)
    return DUCKDB_TYPES[column.type]
