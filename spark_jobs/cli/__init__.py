"""`python -m spark_jobs <command>`: argument parsing only.

Each command lives in its own module under `spark_jobs.cli` and exposes:
- `HELP`: one line shown in `--help`;
- `configure(parser)`: adds the command's arguments;
- `run(args) -> int`: calls the job with explicit keyword arguments and returns the exit code.
Modules are imported lazily so `--help` and the non-Spark commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from spark_jobs.errors import UserError
from spark_jobs.logs import configure_logging

__all__ = ["COMMANDS", "UserError", "main"]

# command name -> module under spark_jobs.cli (module names avoid clashing with the job modules)
COMMANDS: dict[str, str] = {
    "generate": "generate_cmd",
    "ingest": "ingest_cmd",
    "clean": "clean_cmd",
    "marts": "marts_cmd",
    "run": "run_cmd",
    "stream": "stream_cmd",
    "compact": "compact_cmd",
    "local": "local_cmd",
    "contract": "contract_cmd",
    "load": "load_cmd",
    "dataproc-submit": "dataproc_submit_cmd",
    "looker-url": "looker_url_cmd",
    "bq-schemas": "bq_schemas_cmd",
    "bench": "bench_cmd",
    "dashboard": "dashboard_cmd",
    "replay": "replay_cmd",
    "vacuum": "vacuum_cmd",
}

log = logging.getLogger("spark_jobs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m spark_jobs",
        description="Clickstream analytics pipeline: ingest, clean, marts, load, dashboard.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"spark_jobs.cli.{module_name}")
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(verbose=args.verbose)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except Exception as error:  # one line for the user, the traceback only with --verbose
        log.debug("failure", exc_info=True)
        log.error("%s failed: %s", args.command, one_line(error))
        return 1


def one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else type(error).__name__
    return first if isinstance(error, UserError) else f"{type(error).__name__}: {first}"


if __name__ == "__main__":
    sys.exit(main())
