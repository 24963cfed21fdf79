"""`replay`: write a Kaggle-format file into a landing zone as small files at N times real time."""

from __future__ import annotations

import argparse
import json

HELP = (
    "replay a Kaggle-format file into a landing folder as small files in event-time order, at N x real time"
)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input", required=True, help="Kaggle-format .csv or .csv.gz (e.g. the bundled sample)"
    )
    parser.add_argument("--landing", required=True, help="landing folder the stream watches")
    parser.add_argument(
        "--speed", type=_positive, required=True, help="times real time (3600 plays a day in 24 s)"
    )
    parser.add_argument(
        "--file-seconds",
        type=_positive,
        default=60.0,
        help="seconds of event time per landed file (default 60)",
    )


def run(args: argparse.Namespace) -> int:
    from spark_jobs.replay import replay

    result = replay(
        input_path=args.input, landing=args.landing, speed=args.speed, file_seconds=args.file_seconds
    )
    summary = {
        "files": result.files,
        "rows": result.rows,
        "first_event": result.first_event.isoformat() if result.first_event else None,
        "last_event": result.last_event.isoformat() if result.last_event else None,
        "seconds": round(result.seconds, 1),
    }
    print(json.dumps(summary))
    return 0
