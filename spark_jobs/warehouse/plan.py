"""Which lake folders a load takes and which warehouse rows it replaces, decided before anything changes.

A load replaces whole months: for a partitioned table every row whose partition date falls in a
loaded month is deleted and the month's lake folders are inserted, so reruns never duplicate and
other months are never touched. The data-quality table (not partitioned) is replaced per batch.

A day load (`load --day D`, what the micro-batch flow runs) replaces whole days instead: the day
partitions of the daily tables (events, daily marts, sessions by start day), the month partitions of
the monthly marts that hold those days (where the lake has them: the stream refreshes them at its
own cadence), and the data-quality batches whose id starts with a loaded day. The live window
(`live_traffic`, 48 hours) is replaced whole by every load, so days that fell out of it leave the
warehouse too.
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

# Replaced whole by every load: the lake holds only the current window (none yet: an empty window).
WHOLE_TABLES = (contract.LIVE_TRAFFIC,)


@dataclass(frozen=True)
class TablePlan:
    table: Table
    slices: tuple[Slice, ...]
    months: tuple[str, ...]
    days: tuple[str, ...] = ()  # a day load: the days replaced in DAY-partitioned tables

    @property
    def whole(self) -> bool:
        return self.table in WHOLE_TABLES

    @property
    def replaced_keys(self) -> tuple[str, ...]:
        """Batch ids replaced in the data-quality table (partitioned tables replace whole months)."""
        return tuple(s.key for s in self.slices)

    def replace_predicate(self) -> str:
        """SQL (valid in BigQuery and DuckDB) selecting the warehouse rows this load replaces."""
        column = self.table.partition_column
        if self.whole:
            return "TRUE"
        if column is not None and self.days:
            if self.table.partition_granularity == "DAY":
                dates = ", ".join(f"DATE '{day}'" for day in self.days)
                return f"{column} IN ({dates})"
            months = sorted({s.month for s in self.slices})  # monthly marts: the months the lake has
            return _month_ranges(column, months)
        if column is None:
            keys = ", ".join(_string_literal(key) for key in self.replaced_keys)
            return f"batch_id IN ({keys})" if keys else "FALSE"
        return _month_ranges(column, self.months)

    def expected_rows(self) -> dict[str, int]:
        """Rows per partition (or batch) the warehouse must hold after the load, keyed like the lake folders."""
        expected: dict[str, int] = {}
        for s in self.slices:
            if s.rows:
                expected[s.key] = expected.get(s.key, 0) + s.rows
        return expected


def _month_ranges(column: str, months) -> str:
    ranges = [
        f"({column} >= DATE '{start}' AND {column} < DATE '{end}')" for start, end in map(month_range, months)
    ]
    return " OR ".join(ranges) if ranges else "FALSE"


@dataclass(frozen=True)
class LoadPlan:
    months: tuple[str, ...]
    tables: tuple[TablePlan, ...]
    days: tuple[str, ...] = ()

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


class NothingToLoad(UserError):
    """A day load found none of its days in the lake (with skip_missing_days: not a failure)."""


def check_day(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise UserError(f"invalid day {value!r}: expected YYYY-MM-DD") from None


# A day load fails when one of these has no folder for a requested day (the day's clean events and
# daily marts are written together); sessions and monthly marts follow at the stream's cadence.
DAY_REQUIRED = ("event_date",)


def plan_load(
    lake: Lake,
    months: list[str] | None = None,
    tables: tuple[Table, ...] | None = None,
    days: list[str] | None = None,
    skip_missing_days: bool = False,
) -> LoadPlan:
    """Read the lake's folder listing and Parquet footers; raise UserError on anything wrong.

    `skip_missing_days`: a requested day without clean events is left out instead of refused (a
    scheduled day load that runs before the day's first event).
    """
    tables = tables or contract.WAREHOUSE_TABLES
    if months and days:
        raise UserError("give --month or --day, not both")
    check_lake_root(lake)
    if days:
        days = sorted({check_day(day) for day in days})
        if skip_missing_days:
            held = {s.key for s in find_slices(lake, contract.EVENTS, missing_ok=True)}
            days = [day for day in days if day in held]
            if not days:
                raise NothingToLoad(
                    f"nothing to load: no clean events for the requested days under {lake.root}"
                )
        return _plan_days(lake, days, tables)
    requested = sorted({validate.check_month(month) for month in months or []})
    found = {table.name: find_slices(lake, table, table in WHOLE_TABLES) for table in tables}
    partitioned = [table for table in tables if table.partition_column and table not in WHOLE_TABLES]
    chosen = requested or sorted({s.month for table in partitioned for s in found[table.name]})
    if not chosen:
        raise UserError(f"nothing to load: no partitions under {lake.root}")
    plans = []
    for table in tables:
        slices = [
            s for s in found[table.name] if not requested or s.month in requested or table in WHOLE_TABLES
        ]
        if table.partition_column and table not in WHOLE_TABLES:
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


def _plan_days(lake: Lake, days: list[str], tables: tuple[Table, ...]) -> LoadPlan:
    months = sorted({day[:7] for day in days})
    plans = []
    for table in tables:
        # a stream's lake has its monthly marts and sessions only after their first cadence
        required = table.partition_column in DAY_REQUIRED and table not in WHOLE_TABLES
        found = find_slices(lake, table, missing_ok=not required and table.partition_column is not None)
        if table in WHOLE_TABLES:
            slices = found
        elif table.partition_column is None:
            slices = [s for s in found if s.key.startswith(tuple(days))]
        elif table.partition_granularity == "DAY":
            slices = [s for s in found if s.key in days]
            missing = sorted(set(days) - {s.key for s in slices})
            if missing and table.partition_column in DAY_REQUIRED:
                raise UserError(
                    f"lake table {table.name} has no partitions for {', '.join(missing)} "
                    f"under {lake.table_path(table)}"
                )
        else:
            slices = [s for s in found if s.month in months]
        plan = TablePlan(table, tuple(slices), tuple(months), tuple(days))
        plan.replace_predicate()  # checks batch names now, before any change
        plans.append(plan)
    return LoadPlan(tuple(months), tuple(plans), tuple(days))
