"""Months as every command and the lake spell them: `YYYY-MM`."""

from __future__ import annotations

import re
from datetime import date

from spark_jobs.errors import UserError

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


class MonthError(UserError, ValueError):
    """Not a `YYYY-MM` month (a ValueError too, so library callers and argparse can catch it)."""


def parse_month(month: str, label: str = "--month") -> tuple[int, int]:
    """`2019-10` -> (2019, 10); `label` names the value in the error message."""
    match = MONTH.fullmatch(month or "")
    if not match:
        raise MonthError(f"{label} {month!r}: expected YYYY-MM, e.g. 2019-10")
    return int(match.group(1)), int(match.group(2))


def month_bounds(month: str) -> tuple[date, date]:
    """First day of `YYYY-MM` and first day of the next month."""
    year, number = parse_month(month)
    return date(year, number, 1), date(year + number // 12, number % 12 + 1, 1)
