"""The table contract is the one source of truth: it is self-consistent and the README shows it."""

from __future__ import annotations

from pathlib import Path

from spark_jobs import contract, marts
from spark_jobs.contract_docs import contract_markdown, readme_section
from spark_jobs.schemas import spark_schema

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_table_contract_is_generated_from_the_contract():
    assert readme_section(README.read_text()) == contract_markdown(), "run: python -m spark_jobs contract"


def test_every_column_has_a_description():
    assert all(column.description for table in contract.TABLES for column in table.columns)


def test_every_mart_has_a_builder_and_a_partition_column():
    assert set(marts.BUILDERS) == {table.name for table in contract.MARTS}
    assert all(table.partition_column for table in contract.MARTS)


def test_monthly_marts_are_partitioned_by_a_month_column_and_daily_ones_by_day():
    for table in contract.MARTS:
        expected = "MONTH" if table.partition_column.endswith("_month") else "DAY"
        assert table.partition_granularity == expected, table.name


def test_spark_schemas_follow_the_contract_columns():
    for table in contract.TABLES:
        assert spark_schema(table).fieldNames() == table.column_names


def test_marts_that_see_whole_sessions_or_a_window_say_so_for_month_recomputes():
    margins = {table.name: table.read_margin for table in contract.MARTS if table.read_margin}
    assert margins == {
        "sessions": "session",
        "session_paths_monthly": "session",
        "funnel_ordered_daily": "window",
        "cart_abandonment_daily": "window",
    }
