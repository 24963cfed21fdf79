"""Warehouse table definitions derived from the contract: BigQuery tables (API objects and DDL text), DuckDB DDL.

The loader creates BigQuery tables through the API (`bigquery_table`): the emulators drop clustering
and monthly partitioning from DDL statements. `bigquery/ddl/*.sql` holds the same definitions as DDL
text for people and reviews; a test keeps the files equal to `create_table_sql`.
"""

from __future__ import annotations

from spark_jobs.contract import Table
from spark_jobs.schemas import bigquery_schema, duckdb_type

DATASET_PLACEHOLDER = "{{dataset}}"


def bigquery_table(table: Table, project: str, dataset: str):
    """A google.cloud.bigquery.Table with the contract's schema, partitioning, clustering and descriptions."""
    from google.cloud import bigquery

    result = bigquery.Table(
        f"{project}.{dataset}.{table.name}",
        schema=[bigquery.SchemaField.from_api_repr(field) for field in bigquery_schema(table)],
    )
    result.description = table.description
    if table.partition_column:
        result.time_partitioning = bigquery.TimePartitioning(
            type_=table.partition_granularity, field=table.partition_column
        )
        result.require_partition_filter = table.require_partition_filter
    if table.cluster_by:
        result.clustering_fields = list(table.cluster_by)
    result.labels = {"app": "clickstream", "kind": table.kind}
    return result


def partition_expression(table: Table) -> str | None:
    if table.partition_column is None:
        return None
    if table.partition_granularity == "DAY":
        return table.partition_column
    return f"DATE_TRUNC({table.partition_column}, {table.partition_granularity})"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create_table_sql(table: Table, dataset_ref: str = DATASET_PLACEHOLDER) -> str:
    """BigQuery `CREATE TABLE IF NOT EXISTS` for the table (dataset_ref is `project.dataset`)."""
    columns = ",\n".join(
        f"  {field['name']} {_column_type(field)}{'' if field['mode'] == 'NULLABLE' else ' NOT NULL'}"
        f" OPTIONS(description={_quote(field['description'])})"
        for field in bigquery_schema(table)
    )
    lines = [f"CREATE TABLE IF NOT EXISTS `{dataset_ref}.{table.name}` (", columns, ")"]
    if partition_expression(table):
        lines.append(f"PARTITION BY {partition_expression(table)}")
    if table.cluster_by:
        lines.append(f"CLUSTER BY {', '.join(table.cluster_by)}")
    options = [f"description={_quote(table.description)}"]
    if table.require_partition_filter:
        options.append("require_partition_filter=TRUE")
    lines.append(f"OPTIONS({', '.join(options)});")
    return "\n".join(lines) + "\n"


def _column_type(field: dict) -> str:
    if "precision" in field:
        return f"{field['type']}({field['precision']},{field['scale']})"
    return field["type"]


def duckdb_create_table_sql(table: Table) -> str:
    columns = ", ".join(
        f"{column.name} {duckdb_type(column)}{'' if column.nullable else ' NOT NULL'}"
        for column in table.columns
    )
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({columns})"
