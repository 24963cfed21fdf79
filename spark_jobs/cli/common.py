"""Arguments shared by several commands, defined once."""

from __future__ import annotations

import argparse
from datetime import date

from spark_jobs.lake import DEFAULT_LAKE
from spark_jobs.months import MonthError, parse_month


def month(value: str) -> str:
    try:
        parse_month(value)
    except MonthError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def day(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a day YYYY-MM-DD, e.g. 2019-10-01, got {value!r}"
        ) from None
    if len(value) != 10:
        raise argparse.ArgumentTypeError(f"expected a day YYYY-MM-DD, e.g. 2019-10-01, got {value!r}")
    return value


def share(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"a share between 0 and 1, got {value}")
    return number


def add_lake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lake", default=DEFAULT_LAKE, help=f"lake root, a folder or gs:// prefix (default {DEFAULT_LAKE})"
    )


def add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        dest="inputs",
        action="append",
        required=True,
        metavar="PATH_OR_GLOB",
        help="raw Kaggle-format .csv/.csv.gz file, folder or glob (local or gs://); repeatable",
    )
    parser.add_argument("--batch-id", help="name of this batch (default: the month found in the input path)")
    parser.add_argument(
        "--max-quarantine-share",
        type=share,
        default=0.01,
        help="fail when more than this share of rows is quarantined (default 0.01)",
    )


def add_months(parser: argparse.ArgumentParser, what: str) -> None:
    _add_repeatable(parser, "--month", month, "YYYY-MM", what)


def add_days(parser: argparse.ArgumentParser, what: str) -> None:
    _add_repeatable(parser, "--day", day, "YYYY-MM-DD", what)


def _add_repeatable(parser: argparse.ArgumentParser, flag: str, parse, metavar: str, what: str) -> None:
    """`--month A --month B` -> args.months == [A, B] (the flag's name + s)."""
    parser.add_argument(
        flag, dest=flag[2:] + "s", action="append", type=parse, metavar=metavar, help=f"{what}; repeatable"
    )
