"""The SQL files under bigquery/: views (one per file, BigQuery Standard SQL) and analysis queries.

Files name their tables as `{{dataset}}.<table>`. BigQuery gets `project.dataset`; DuckDB gets its
`main` schema and the SQL transpiled by sqlglot, so there is one hand-written copy of every view.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import sqlglot

from spark_jobs.errors import UserError
from spark_jobs.warehouse.ddl import DATASET_PLACEHOLDER


def _bigquery_dir() -> Path:
    """The repository's bigquery/ folder, else the copy a wheel installs (pyproject data-files)."""
    repository = Path(__file__).resolve().parents[2] / "bigquery"
    installed = Path(sysconfig.get_path("data")) / "share" / "spark_jobs" / "bigquery"
    return repository if (repository / "views").is_dir() or not (installed / "views").is_dir() else installed


BIGQUERY_DIR = _bigquery_dir()
VIEWS_DIR = BIGQUERY_DIR / "views"
QUERIES_DIR = BIGQUERY_DIR / "queries"
DUCKDB_SCHEMA = "main"


def _sql_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.sql"))
    if not files:
        raise UserError(f"no .sql files in {folder}")
    return files


def view_files() -> list[Path]:
    return _sql_files(VIEWS_DIR)


def query_files() -> list[Path]:
    return _sql_files(QUERIES_DIR)


def view_name(path: Path) -> str:
    return path.stem


def render(sql: str, dataset_ref: str) -> str:
    if DATASET_PLACEHOLDER not in sql:
        raise UserError(f"SQL does not name its tables as `{DATASET_PLACEHOLDER}.<table>`")
    return sql.replace(DATASET_PLACEHOLDER, dataset_ref).strip().rstrip(";")


def bigquery_sql(path: Path, project: str, dataset: str) -> str:
    return render(path.read_text(), f"{project}.{dataset}")


def duckdb_sql(path: Path) -> str:
    """The file's SQL in DuckDB's dialect (run it after `SET TimeZone='UTC'`)."""
    statements = sqlglot.transpile(render(path.read_text(), DUCKDB_SCHEMA), read="bigquery", write="duckdb")
    if len(statements) != 1:
        raise UserError(f"{path}: expected exactly one SQL statement, found {len(statements)}")
    return statements[0]


def bigquery_create_view(path: Path, project: str, dataset: str) -> str:
    return f"CREATE OR REPLACE VIEW `{project}.{dataset}.{view_name(path)}` AS\n{bigquery_sql(path, project, dataset)}"


def duckdb_create_view(path: Path) -> str:
    return f"CREATE OR REPLACE VIEW {view_name(path)} AS {duckdb_sql(path)}"
