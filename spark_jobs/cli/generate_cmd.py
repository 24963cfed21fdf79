"""`generate`: write a synthetic month of events in the Kaggle CSV format."""

from __future__ import annotations

import argparse
import logging

from spark_jobs import generate
from spark_jobs.cli import common

HELP = "write a synthetic month of events in the Kaggle CSV format (.csv or .csv.gz by extension)"

log = logging.getLogger("spark_jobs.generate")


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a non-negative whole number, got {text!r}")
    return int(text)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rows", type=_count, required=True, help="data lines to write, duplicates and bad lines included"
    )
    parser.add_argument("--month", type=common.month, required=True, help="month to cover, YYYY-MM (UTC)")
    parser.add_argument("--out", required=True, help="output file; .csv or .csv.gz (gzip) by extension")
    parser.add_argument("--seed", type=int, default=0, help="random seed; same seed, same bytes (default 0)")
    parser.add_argument(
        "--bad-rows",
        type=_count,
        default=0,
        help="malformed or invalid lines to mix in, for end-to-end tests (default 0)",
    )
    parser.add_argument(
        "--cut-last-line",
        action="store_true",
        help="end with one more line cut mid-field and without a newline, as a download cut short",
    )


def run(args: argparse.Namespace) -> int:
    result = generate.write_month(
        out=args.out, rows=args.rows, month=args.month, seed=args.seed, bad_rows=args.bad_rows,
        cut_last_line=args.cut_last_line,
    )  # fmt: skip
    bad = sum(result.bad_rows.values())
    log.info(
        "wrote %s rows (%s exact duplicates, %s bad lines) to %s: %.1f MB in %.1fs (%s rows/s)",
        f"{result.rows:,}",
        f"{result.duplicates:,}",
        f"{bad:,}",
        result.path,
        result.bytes_written / 1e6,
        result.seconds,
        f"{result.rows / max(result.seconds, 1e-9):,.0f}",
    )
    return 0
