"""The SQL files under bigquery/: views (one per file, BigQuery Standard SQL) and analysis queries.

Files name their tables as `{{dataset}}.<table>`. BigQuery gets `project.dataset`; DuckDB gets its
`main` schema and the SQL transpiled by sqlglot, so there is one hand-written copy of every view.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import TYPE_CHECKING

import sqlglot

from spark_jobs.errors import UserError
from spark_jobs.warehouse.ddl import DATASET_PLACEHOLDER

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# The repository's bigquery/ folder: where the SQL is edited and the generated schemas/DDL are written.
BIGQUERY_DIR = Path(__file__).resolve().parents[2] / "bigquery"
# Inside a wheel the views and queries are package data, spark_jobs/bigquery/{views,queries}/, copied
# from bigquery/ by setup.py. importlib.resources finds them wherever pip put the package: a venv, the
# system site-packages, or ~/.local after `pip install --user` (which a path computed from
# sysconfig's "data" prefix missed).
PACKAGED_FOLDER = "bigquery"
SQL_FOLDERS = ("views", "queries")
DUCKDB_SCHEMA = "main"


def sql_root() -> Traversable:
    """The installed package's copy of the SQL, else (a checkout, an editable install) bigquery/."""
    packaged = importlib.resources.files("spark_jobs") / PACKAGED_FOLDER
    return packaged if (packaged / "views").is_dir() else BIGQUERY_DIR


VIEWS_DIR = sql_root() / "views"
QUERIES_DIR = sql_root() / "queries"


def _sql_files(folder: Traversable) -> list[Traversable]:
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")) if folder.is_dir() else [],
        key=lambda entry: entry.name,
    )
    if not files:
        raise UserError(f"no .sql files in {folder}")
    return files


def view_files() -> list[Traversable]:
    return _sql_files(VIEWS_DIR)


def query_files() -> list[Traversable]:
    return _sql_files(QUERIES_DIR)


def view_name(path: Traversable) -> str:
    return Path(path.name).stem


def render(sql: str, dataset_ref: str) -> str:
    if DATASET_PLACEHOLDER not in sql:
        raise UserError(f"SQL does not name its tables as `{DATASET_PLACEHOLDER}.<table>`")
    return sql.replace(DATASET_PLACEHOLDER, dataset_ref).strip().rstrip(";")


def bigquery_sql(path: Traversable, project: str, dataset: str) -> str:
    return render(path.read_text(), f"{project}.{dataset}")


def duckdb_sql(path: Traversable) -> str:
    """The file's SQL in DuckDB's dialect (run it after `SET TimeZone='UTC'`)."""
    statements = sqlglot.transpile(render(path.read_text(), DUCKDB_SCHEMA), read="bigquery", write="duckdb")
    if len(statements) != 1:
        raise UserError(f"{path}: expected exactly one SQL statement, found {len(statements)}")
    return statements[0]


def bigquery_create_view(path: Traversable, project: str, dataset: str) -> str:
    return f"CREATE OR REPLACE VIEW `{project}.{dataset}.{view_name(path)}` AS\n{bigquery_sql(path, project, dataset)}"


def duckdb_create_view(path: Traversable) -> str:
    return f"CREATE OR REPLACE VIEW {view_name(path)} AS {duckdb_sql(path)}"
