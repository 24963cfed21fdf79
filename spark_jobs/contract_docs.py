"""The table contract rendered as Markdown for the README (a test keeps the README in sync)."""

from __future__ import annotations

from spark_jobs.contract import RATE_DEFINITIONS, TABLES, Table

START, END = "<!-- contract:start -->", "<!-- contract:end -->"


def table_markdown(table: Table) -> str:
    partition = "none (one folder per batch)"
    if table.partition_column:
        is_date = table.column(table.partition_column).type == "DATE"
        partition = f"`{table.partition_column}`" + (f" ({table.partition_granularity})" if is_date else "")
    lines = [
        f"#### `{table.name}`",
        "",
        f"{table.description}",
        "",
        f"- grain: one row per `{'`, `'.join(table.grain)}`",
        f"- lake: `{table.lake_path}/`; partitioned by {partition}"
        + (f"; clustered by `{'`, `'.join(table.cluster_by)}`" if table.cluster_by else ""),
        "",
        "| column | type | null | meaning |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {c.description} |"
        for c in table.columns
    ]
    return "\n".join(lines)


def rates_markdown() -> str:
    lines = [
        "#### Rates",
        "",
        "Every view and the dashboard use these names for these definitions only; each numerator is a",
        "subset of its denominator, so no rate exceeds 100%.",
        "",
        "| rate | definition |",
        "|---|---|",
    ]
    return "\n".join(lines + [f"| `{name}` | {text} |" for name, text in RATE_DEFINITIONS.items()])


def contract_markdown() -> str:
    return "\n\n".join([*(table_markdown(table) for table in TABLES), rates_markdown()])


def readme_section(readme_text: str) -> str:
    """The generated part of the README, between the contract markers."""
    start = readme_text.index(START) + len(START)
    return readme_text[start : readme_text.index(END)].strip()
