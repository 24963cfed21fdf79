"""Which lake folders a load takes and which warehouse rows it replaces, decided before anything changes.

A load replaces whole months: for a partitioned table every row whose partition date falls in a
loaded month is deleted and the month's lake folders are inserted, so reruns never duplicate and
other months are never touched. The data-quality table (not partitioned) is replaced per batch.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from spark_jobs import contract
from spark_jobs.contract import Table
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake
from spark_jobs.warehouse import validate
from spark_jobs.warehouse.sources import Slice, check_lake_root, find_slices


@dataclass(frozen=True)
class TablePlan:
    table: Table
    slices: tuple[Slice, ...]
    months: tuple[str, ...]

    @property
    def replaced_keys(self) -> tuple[str, ...]:
        """Batch ids replaced in the data-quality table (partitioned tables replace whole months)."""
        return tuple(s.key for s in self.slices)

    def replace_predicate(self) -> str:
        """SQL (valid in BigQuery and DuckDB) selecting the warehouse rows this load replaces."""
        column = self.table.partition_column
        if column is None:
            keys = ", ".join(_string_literal(key) for key in self.replaced_keys)
            return f"batch_id IN ({keys})" if keys else "FALSE"
        ranges = [
            f"({column} >= DATE '{start}' AND {column} < DATE '{end}')"
            for start, end in map(month_range, self.months)
        ]
        return " OR ".join(ranges) if ranges else "FALSE"

    def expected_rows(self) -> dict[str, int]:
        """Rows per partition (or batch) the warehouse must hold after the load, keyed like the lake folders."""
        expected: dict[str, int] = {}
        for s in self.slices:
            if s.rows:
                expected[s.key] = expected.get(s.key, 0) + s.rows
        return expected


@dataclass(frozen=True)
class LoadPlan:
    months: tuple[str, ...]
    tables: tuple[TablePlan, ...]

    @property
    def total_rows(self) -> int:
        return sum(s.rows for plan in self.tables for s in plan.slices)


def month_range(month: str) -> tuple[dt.date, dt.date]:
    start = dt.date.fromisoformat(f"{month}-01")
    end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, end


def _string_literal(value: str) -> str:
    # Batch ids come from folder names; quoting rules differ between engines, so allow only plain text.
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise UserError(f"batch folder name {value!r} may only hold letters, digits, '_', '.' and '-'")
    return f"'{value}'"


def plan_load(
    lake: Lake, months: list[str] | None = None, tables: tuple[Table, ...] | None = None
) -> LoadPlan:
    """Read the lake's folder listing and Parquet footers; raise UserError on anything wrong."""
    tables = tables or contract.WAREHOUSE_TABLES
    check_lake_root(lake)
    requested = sorted({validate.check_month(month) for month in months or []})
    found = {table.name: find_slices(lake, table) for table in tables}
    partitioned = [table for table in tables if table.partition_column]
    chosen = requested or sorted({s.month for table in partitioned for s in found[table.name]})
    if not chosen:
        raise UserError(f"nothing to load: no partitions under {lake.root}")
    plans = []
    for table in tables:
        slices = [s for s in found[table.name] if not requested or s.month in requested]
        if table.partition_column:
            missing = sorted(set(chosen) - {s.month for s in slices})
            if missing:
                path = lake.table_path(table)
                raise UserError(
                    f"lake table {table.name} has no partitions for {', '.join(missing)} under {path}"
                )
        plan = TablePlan(table, tuple(slices), tuple(chosen))
        plan.replace_predicate()  # checks batch names now, before any change
        plans.append(plan)
    return LoadPlan(tuple(chosen), tuple(plans))
