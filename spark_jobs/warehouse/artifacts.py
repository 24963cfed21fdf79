"""The generated files under bigquery/: one schema JSON and one DDL file per warehouse table.

`python -m spark_jobs bq-schemas` writes them; tests compare them with `expected_files()` so they can
never drift from the contract.
"""

from __future__ import annotations

import json
from pathlib import Path

from spark_jobs import contract
from spark_jobs.schemas import bigquery_schema
from spark_jobs.warehouse.ddl import create_table_sql
from spark_jobs.warehouse.sql import BIGQUERY_DIR


def expected_files() -> dict[str, str]:
    """Relative path under bigquery/ -> file content."""
    files = {}
    for table in contract.WAREHOUSE_TABLES:
        files[f"schemas/{table.name}.json"] = json.dumps(bigquery_schema(table), indent=2) + "\n"
        files[f"ddl/{table.name}.sql"] = create_table_sql(table)
    return files


def write_files(root: Path = BIGQUERY_DIR) -> list[Path]:
    written = []
    for relative, content in expected_files().items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        written.append(path)
    return written
