"""Where a month comes from: the REES46 site, Kaggle, any http(s) URL or a local file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from spark_jobs.contract import RAW_COLUMNS
from spark_jobs.errors import UserError
from spark_jobs.months import parse_month

# The header every source file must start with: the contract's raw columns, in file order.
KAGGLE_HEADER = ",".join(RAW_COLUMNS)

REES46_BASE_URL = "https://data.rees46.com/datasets/marketplace"
REES46_MONTHS = ("2019-10", "2019-11", "2019-12", "2020-01", "2020-02", "2020-03", "2020-04")
KAGGLE_DATASET = "mkechinov/ecommerce-behavior-data-from-multi-category-store"
KAGGLE_MONTHS = ("2019-10", "2019-11")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Source:
    kind: str  # "http", "path" or "kaggle"
    location: str  # URL, local path, or the file name inside the Kaggle dataset
    valid_months: tuple[str, ...] = ()  # named in error messages (404) for the built-in sources

    @property
    def uri(self) -> str:
        return f"kaggle://{KAGGLE_DATASET}/{self.location}" if self.kind == "kaggle" else self.location


def month_file_stem(month: str) -> str:
    """2019-10 -> 2019-Oct, the name the REES46 and Kaggle files use."""
    year, number = parse_month(month)
    return f"{year:04d}-{MONTH_NAMES[number - 1]}"


def resolve_source(source: str, month: str, base_url: str | None = None) -> Source:
    """Turn `--source` (rees46 | kaggle | URL | PATH) and `--month` into a concrete location."""
    parse_month(month)
    if source == "rees46":
        _require_month(month, REES46_MONTHS, "rees46")
        base = (base_url or REES46_BASE_URL).rstrip("/")
        return Source("http", f"{base}/{month_file_stem(month)}.csv.gz", REES46_MONTHS)
    if source == "kaggle":
        _require_month(month, KAGGLE_MONTHS, f"kaggle dataset {KAGGLE_DATASET}")
        return Source("kaggle", f"{month_file_stem(month)}.csv", KAGGLE_MONTHS)
    if re.match(r"^https?://", source):
        return Source("http", source)
    if re.match(r"^[a-z][a-z0-9+.-]*://", source):
        raise UserError(
            f"--source {source}: only rees46, kaggle, http(s):// URLs and local paths are supported"
        )
    if not os.path.isfile(source):
        raise UserError(f"--source {source}: no such file")
    return Source("path", source)


def _require_month(month: str, valid: tuple[str, ...], name: str) -> None:
    if month not in valid:
        raise UserError(f"--month {month}: {name} has no such month; valid months: {', '.join(valid)}")
