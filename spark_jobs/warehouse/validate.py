"""Checks that run before the warehouse changes: names, months and the lake's Parquet against the contract."""

from __future__ import annotations

import re

import pyarrow as pa

from spark_jobs.contract import Column, Table
from spark_jobs.errors import UserError
from spark_jobs.months import parse_month

# https://cloud.google.com/resource-manager/docs/creating-managing-projects (optionally domain-scoped)
PROJECT_ID = re.compile(r"^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
DATASET_ID = re.compile(r"^[A-Za-z0-9_]{1,1024}$")
TABLE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,1023}$")


def check_name(kind: str, value: str) -> str:
    pattern = {"project": PROJECT_ID, "dataset": DATASET_ID, "table": TABLE_ID}[kind]
    if not isinstance(value, str) or not pattern.match(value):
        raise UserError(f"invalid BigQuery {kind} name {value!r} (must match {pattern.pattern})")
    return value


def check_month(value: str) -> str:
    parse_month(value, label="invalid month")
    return value


def file_columns(table: Table) -> list[Column]:
    """Columns stored inside the table's Parquet files: all but the one encoded in folder names."""
    return [column for column in table.columns if column.name != table.partition_column]


def arrow_type_matches(column: Column, arrow_type: pa.DataType) -> bool:
    if column.precision_scale:
        precision, scale = column.precision_scale
        return pa.types.is_decimal(arrow_type) and (arrow_type.precision, arrow_type.scale) == (
            precision,
            scale,
        )
    if column.type == "STRING":
        return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    if column.type == "INT64":
        return pa.types.is_int64(arrow_type)
    if column.type == "DATE":
        return pa.types.is_date32(arrow_type)
    if column.type == "TIMESTAMP":
        # A zone-less timestamp is Spark's INT96 default: BigQuery would read it as DATETIME.
        return pa.types.is_timestamp(arrow_type) and arrow_type.tz in ("UTC", "+00:00", "Etc/UTC")
    raise AssertionError(column.type)


def check_parquet_schema(table: Table, path: str, schema: pa.Schema) -> None:
    """The file must hold exactly the contract's columns, in contract order, with matching types.

    Order matters because load jobs on the emulators insert Parquet columns by position.
    """
    expected = file_columns(table)
    names = schema.names
    expected_names = [column.name for column in expected]
    missing = [name for name in expected_names if name not in names]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)} required by the {table.name} contract"
        )
    extra = [name for name in names if name not in expected_names]
    if extra:
        raise UserError(f"{path}: column(s) {', '.join(extra)} are not in the {table.name} contract")
    if names != expected_names:
        raise UserError(
            f"{path}: columns are in order {names}, the {table.name} contract says {expected_names}"
        )
    for column in expected:
        arrow_type = schema.field(column.name).type
        if not arrow_type_matches(column, arrow_type):
            raise UserError(
                f"{path}: column {column.name!r} is {arrow_type}, the {table.name} contract says {column.type}"
            )


def check_no_nulls(table: Table, path: str, null_counts: dict[str, int]) -> None:
    """REQUIRED columns must have no nulls (Parquet footer statistics, no data read)."""
    for column in file_columns(table):
        count = null_counts.get(column.name, 0)
        if count and not column.nullable:
            raise UserError(
                f"{path}: column {column.name!r} has {count} null value(s); the contract says NOT NULL"
            )
