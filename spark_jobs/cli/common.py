"""Arguments shared by several commands, defined once."""

from __future__ import annotations

import argparse

from spark_jobs.lake import DEFAULT_LAKE
from spark_jobs.months import MonthError, parse_month


def month(value: str) -> str:
    try:
        parse_month(value)
    except MonthError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
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


def add_engine(parser: argparse.ArgumentParser) -> None:
    """`--engine spark|sail` for every command that runs Spark jobs (resolved by spark_jobs.session)."""
    from spark_jobs.session import ENGINE_VARIABLE, ENGINES, LOCAL_DEFAULT_ENGINE

    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help=f"spark (classic Spark, the JVM) or sail (Sail, embedded; Spark Connect); default "
        f"${ENGINE_VARIABLE}, else {LOCAL_DEFAULT_ENGINE}. Under spark-submit and on Dataproc always spark",
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
    parser.add_argument(
        "--month",
        dest="months",
        action="append",
        type=month,
        metavar="YYYY-MM",
        help=f"{what}; repeatable",
    )
