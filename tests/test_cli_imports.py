"""What building the command line imports: only the chosen command's module.

The Dataproc driver (`dist/entrypoint.py run ...`) parses its arguments with the same CLI. When the
parser imported every command module, `run` pulled in what `ingest` needs (requests, pyarrow,
google-crc32c, numpy through pyarrow), which the job never uses. Each check runs in a fresh
interpreter so earlier imports in the test process cannot hide an import.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from spark_jobs.cli import COMMANDS, build_parser, chosen_command

# Libraries no Spark job needs; `run` must parse its arguments without them.
NOT_FOR_THE_SPARK_JOB = {"numpy", "pyarrow", "requests", "google_crc32c", "duckdb", "sqlglot", "pandas"}
PROBE = """
import json, sys
from spark_jobs.cli import build_parser, chosen_command
argv = json.loads(sys.argv[1])
args = build_parser(chosen_command(argv)).parse_args(argv)
print(json.dumps({"command": args.command, "modules": sorted(sys.modules)}))
"""


def imported_while_parsing(argv: list[str]) -> tuple[str, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True, check=True
    )
    found = json.loads(result.stdout)
    return found["command"], set(found["modules"])


def test_the_dataproc_drivers_run_command_imports_only_its_own_module_and_no_warehouse_or_http_library():
    argv = ["run", "--input", "gs://lake/raw/year=2019/month=10/", "--lake", "gs://lake/lake"]
    command, modules = imported_while_parsing(argv)

    assert command == "run"
    assert {m for m in modules if m.startswith("spark_jobs.cli.")} == {
        "spark_jobs.cli.common",
        "spark_jobs.cli.run_cmd",
    }
    assert not {m.split(".")[0] for m in modules} & NOT_FOR_THE_SPARK_JOB
    assert "google.cloud" not in modules and "pyspark" not in modules


def subcommands(parser) -> dict:
    (action,) = [a for a in parser._actions if a.dest == "command"]
    return action.choices


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_parser_for_one_command_configures_that_command_only(command):
    configured = {name for name, sub in subcommands(build_parser(command)).items() if sub.get_default("_run")}
    assert configured == {command}


def test_the_command_is_found_after_the_global_flags():
    assert chosen_command(["-v", "load", "--lake", "x"]) == "load"
    assert chosen_command(["--help"]) is None and chosen_command(["no-such-command"]) is None


def test_the_full_parser_still_lists_every_command_with_its_help(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    listing = capsys.readouterr().out
    assert all(name in listing for name in COMMANDS)
    assert "clean raw files, then compute the marts" in listing
