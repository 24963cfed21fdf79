"""The files under bigquery/ follow the contract: schemas, DDL, views, and the Looker Studio URL."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from spark_jobs import contract
from spark_jobs.errors import UserError
from spark_jobs.schemas import bigquery_schema
from spark_jobs.warehouse import artifacts, ddl, looker, sql

VIEW_NAMES = [sql.view_name(path) for path in sql.view_files()]


@pytest.mark.parametrize("table", contract.WAREHOUSE_TABLES, ids=lambda t: t.name)
def test_schema_file_equals_the_contract(table):
    path = sql.BIGQUERY_DIR / "schemas" / f"{table.name}.json"
    assert json.loads(path.read_text()) == bigquery_schema(table), "run: python -m spark_jobs bq-schemas"


def test_generated_files_are_committed_unchanged():
    for relative, content in artifacts.expected_files().items():
        path = sql.BIGQUERY_DIR / relative
        assert path.exists() and path.read_text() == content, (
            f"{relative} drifted: python -m spark_jobs bq-schemas"
        )


def test_no_schema_or_ddl_file_for_a_table_outside_the_warehouse():
    names = {table.name for table in contract.WAREHOUSE_TABLES}
    for folder, suffix in (("schemas", ".json"), ("ddl", ".sql")):
        found = {path.name.removesuffix(suffix) for path in (sql.BIGQUERY_DIR / folder).iterdir()}
        assert found == names


def test_events_ddl_is_partitioned_by_day_clustered_and_requires_a_partition_filter():
    text = ddl.create_table_sql(contract.EVENTS, "p.d")
    assert "CREATE TABLE IF NOT EXISTS `p.d.events`" in text
    assert "\nPARTITION BY event_date\n" in text
    assert "\nCLUSTER BY event_type, category_l1, brand\n" in text
    assert "require_partition_filter=TRUE" in text
    assert "price NUMERIC(12,2) NOT NULL" in text
    assert "brand STRING OPTIONS" in text  # nullable


def test_monthly_marts_are_partitioned_by_month_and_sessions_by_session_date():
    assert "PARTITION BY DATE_TRUNC(event_month, MONTH)" in ddl.create_table_sql(contract.FUNNEL_BY_BRAND)
    assert "PARTITION BY session_date\nCLUSTER BY furthest_stage" in ddl.create_table_sql(contract.SESSIONS)
    assert "PARTITION BY" not in ddl.create_table_sql(contract.DATA_QUALITY)


@pytest.mark.parametrize("table", contract.WAREHOUSE_TABLES, ids=lambda t: t.name)
def test_api_table_carries_partitioning_clustering_and_descriptions(table):
    api_table = ddl.bigquery_table(table, "my-project", "analytics")
    assert api_table.table_id == table.name
    assert [field.name for field in api_table.schema] == table.column_names
    assert api_table.description == table.description
    if table.partition_column:
        assert api_table.time_partitioning.field == table.partition_column
        assert api_table.time_partitioning.type_ == table.partition_granularity
        assert api_table.require_partition_filter == table.require_partition_filter
    else:
        assert api_table.time_partitioning is None
    assert (api_table.clustering_fields or []) == list(table.cluster_by)


def test_every_view_is_named_v_and_reads_tables_through_the_dataset_placeholder():
    assert len(VIEW_NAMES) >= 8
    for path in sql.view_files():
        assert re.fullmatch(r"v_[a-z0-9_]+", path.stem)
        assert "{{dataset}}." in path.read_text()


def test_views_compute_every_rate_with_safe_divide():
    for path in sql.view_files():
        body = "\n".join(line.split("--")[0] for line in path.read_text().splitlines())
        assert "/" not in body, f"{path.name}: use SAFE_DIVIDE instead of /"


def test_every_view_is_documented_in_the_readme():
    readme = (sql.BIGQUERY_DIR / "README.md").read_text()
    for name in VIEW_NAMES:
        assert f"`{name}`" in readme


def test_rendering_for_bigquery_names_the_project_and_dataset():
    path = sql.VIEWS_DIR / "v_daily_kpis.sql"
    statement = sql.bigquery_create_view(path, "my-project", "analytics")
    assert statement.startswith("CREATE OR REPLACE VIEW `my-project.analytics.v_daily_kpis` AS")
    assert "`my-project.analytics.funnel_daily`" in statement


def test_looker_url_wires_one_bigquery_data_source_per_view():
    url = looker.looker_studio_url(project="my-project", dataset="analytics")
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://lookerstudio.google.com/reporting/create"
    )
    params = dict(parse_qsl(parts.query))
    assert "c.reportId" not in params
    for index, view in enumerate(VIEW_NAMES):
        alias = f"ds.ds{index}"
        assert params[f"{alias}.connector"] == "bigQuery"
        assert params[f"{alias}.type"] == "TABLE"
        assert params[f"{alias}.projectId"] == "my-project"
        assert params[f"{alias}.datasetId"] == "analytics"
        assert params[f"{alias}.tableId"] == view


def test_looker_url_copies_a_template_report_when_given():
    url = looker.looker_studio_url(project="my-project", dataset="analytics", report_id="abc-123")
    assert dict(parse_qsl(urlsplit(url).query))["c.reportId"] == "abc-123"


def test_looker_url_cli_prints_the_url(capsys):
    from spark_jobs.cli import main

    assert main(["looker-url", "--project", "my-project", "--dataset", "analytics"]) == 0
    assert capsys.readouterr().out.startswith("https://lookerstudio.google.com/reporting/create?")


@pytest.mark.parametrize("project,dataset", [("My_Project", "analytics"), ("my-project", "bad-dataset")])
def test_looker_url_refuses_invalid_names(project, dataset):
    with pytest.raises(UserError, match="invalid BigQuery"):
        looker.looker_studio_url(project=project, dataset=dataset)


def test_wheels_ship_the_view_and_query_files_as_package_data():
    """`load` on a Kestra worker runs from the wheel: setup.py copies bigquery/{views,queries} into the
    package, sql.py reads them with importlib.resources (tests/test_package.py installs a wheel)."""
    setup_py = (sql.BIGQUERY_DIR.parent / "setup.py").read_text()
    assert 'SQL_FOLDERS = ("views", "queries")' in setup_py and sql.SQL_FOLDERS == ("views", "queries")
    assert '"spark_jobs" / "bigquery" / folder' in setup_py and sql.PACKAGED_FOLDER == "bigquery"


def test_a_checkout_reads_the_sql_where_it_is_edited():
    assert sql.sql_root() == sql.BIGQUERY_DIR and sql.VIEWS_DIR == sql.BIGQUERY_DIR / "views"


def test_every_column_a_looker_formula_names_is_a_view_column(tmp_path):
    """The Looker Studio guide's calculated fields (`SUM(x) / SUM(y)`, `COUNT_DISTINCT(...)`) name only
    columns some view has, so each formula can be pasted as written."""
    import duckdb
    from warehouse_lake import build_lake

    from spark_jobs.warehouse.duckdb_loader import load_duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    load_duckdb(lake=build_lake(tmp_path / "lake"), warehouse=str(warehouse))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = {row[0] for view in VIEW_NAMES for row in con.execute(f"DESCRIBE {view}").fetchall()}
    guide = (sql.BIGQUERY_DIR / "README.md").read_text()
    looker = guide[guide.index("## Looker Studio dashboard") : guide.index("## Analysis queries")]
    formulas = [f for f in re.findall(r"`([^`]*(?:SUM|COUNT)\([^`]*)`", looker)]
    assert len(formulas) >= 25
    named = set()
    for formula in formulas:
        named |= set(re.findall(r"\b([a-z_]+)\b", formula)) - {"case", "when", "then", "end"}
    assert named - columns == set()
