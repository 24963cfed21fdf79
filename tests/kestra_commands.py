"""The Kestra flows of kestra_flows/ as data, and the project commands they run, rendered.

Used by tests/test_kestra_flows.py and by end-to-end tests that replay what monthly_pipeline runs:

    from kestra_commands import pipeline_commands
    for argv in pipeline_commands("2019-10", kv={"raw_root": "gs://b/raw", ...}):
        spark_jobs.cli.main(list(argv))

Kestra renders Pebble; here the subset the commands use ({{ a.b }}, kv(), slice(a, b), {% if %})
is rendered with Jinja2, whose syntax for these constructs is the same.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
import yaml

FLOWS_DIR = Path(__file__).resolve().parent.parent / "kestra_flows"
NAMESPACE = "clickstream"
ENTRY_SCRIPT = "dist/entrypoint.py"
# Every task that runs the project installs the wheel into a virtual environment of its own first.
VENV_PYTHON = ".venv/bin/python"
VENV_COMMANDS = [
    "python -m venv .venv",
    f"{VENV_PYTHON} -m pip install --quiet --disable-pip-version-check dist/spark_jobs-*.whl",
]
SAMPLE_OUTPUTS = {"resolve_day": {"value": "2019-10-01"}}  # micro_batch (today), nightly_compact (yesterday)


@dataclass(frozen=True)
class Flow:
    path: Path
    spec: dict

    @property
    def id(self) -> str:
        return self.spec["id"]

    @property
    def inputs(self) -> dict[str, dict]:
        return {item["id"]: item for item in self.spec.get("inputs", [])}

    def tasks(self) -> list[dict]:
        """Every task, depth first, including errors/finally branches and nested flowable tasks."""
        found: list[dict] = []

        def walk(tasks):
            for task in tasks or []:
                found.append(task)
                walk(task.get("tasks"))
                walk(task.get("errors"))
                walk(task.get("finally"))
                for branch in (task.get("cases") or {}).values():
                    walk(branch)
                walk(task.get("defaults") if isinstance(task.get("defaults"), list) else None)

        walk(self.spec.get("tasks"))
        walk(self.spec.get("errors"))
        walk(self.spec.get("finally"))
        return found

    def task(self, task_id: str) -> dict:
        return next(task for task in self.tasks() if task["id"] == task_id)

    def input_values(self, given: Mapping[str, object]) -> dict[str, object]:
        """Defaults overlaid with `given`; "true"/"false" strings become booleans for BOOL inputs."""
        values = {name: item.get("defaults") for name, item in self.inputs.items()}
        for name, value in given.items():
            if self.inputs.get(name, {}).get("type") == "BOOL" and isinstance(value, str):
                value = value.strip().lower() == "true"
            values[name] = value
        return values


@cache
def load_flows() -> dict[str, Flow]:
    flows = [Flow(path, yaml.safe_load(path.read_text())) for path in sorted(FLOWS_DIR.glob("*.yml"))]
    return {flow.id: flow for flow in flows}


def render(template: str, kv: Callable[[str], str], inputs: Mapping[str, object], **context) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["slice"] = lambda text, start, stop: text[start:stop]
    env.globals.update(kv=kv, secret=lambda name: f"<secret {name}>")
    base = {
        "execution": {"id": "4wjLpRhz9uSIHbxE1xyZ"},  # Kestra's ids are mixed-case base62
        "taskrun": {"attemptsCount": 1},
        "flow": {"namespace": NAMESPACE},
        "workingDir": "/tmp/work",
    }
    # what the flows' Return tasks give, for commands that read them (context may override it)
    base["outputs"] = SAMPLE_OUTPUTS
    return env.from_string(template).render({**base, **context, "inputs": inputs})


@dataclass(frozen=True)
class ProjectCommand:
    flow: str
    task: str
    argv: tuple[str, ...]  # what follows `.venv/bin/python -m spark_jobs` or the entry script


def task_commands(flow: Flow, task: dict, kv: Callable[[str], str], inputs: Mapping) -> list[ProjectCommand]:
    """The project commands one task runs: `.venv/bin/python -m spark_jobs`, spark-submit, or a Dataproc batch.

    For `dataproc-submit` it is the batch's command (after `--`), which Dataproc runs.
    """
    found = []
    for line in task.get("commands", []):
        words = shlex.split(render(line, kv, inputs))
        if words[:3] == [VENV_PYTHON, "-m", "spark_jobs"]:
            argv = words[3:]
            if argv[0] == "dataproc-submit":
                argv = argv[argv.index("--") + 1 :]
            found.append(tuple(argv))
        elif words[0] == "spark-submit":
            found.append(tuple(words[words.index(ENTRY_SCRIPT) + 1 :]))
    return [ProjectCommand(flow.id, task["id"], argv) for argv in found]


def project_commands(kv: Callable[[str], str], **inputs) -> list[ProjectCommand]:
    """Every project command of every flow, each flow's inputs = its defaults overlaid with `inputs`."""
    return [
        command
        for flow in load_flows().values()
        for task in flow.tasks()
        for command in task_commands(flow, task, kv, flow.input_values(inputs))
    ]


def pipeline_commands(
    month: str, kv: Mapping[str, str], engine: str = "dataproc", source: str = "rees46", force: bool = False
) -> list[tuple[str, ...]]:
    """The argv of each project command monthly_pipeline runs for `month`, in the order it runs them."""
    parent = load_flows()["monthly_pipeline"]
    parent_inputs = parent.input_values({"month": month, "engine": engine, "source": source, "force": force})
    outputs = {"resolve_month": {"value": month}}
    ordered = []
    for step in parent.spec["tasks"]:
        calls = step["cases"][engine] if "cases" in step else [step]
        for call in calls:
            if call["type"] != "io.kestra.plugin.core.flow.Subflow":
                continue
            child = load_flows()[call["flowId"]]
            given = {
                name: render(str(value), kv.__getitem__, parent_inputs, outputs=outputs)
                for name, value in call.get("inputs", {}).items()
            }
            for task in child.tasks():
                ordered += [
                    c.argv for c in task_commands(child, task, kv.__getitem__, child.input_values(given))
                ]
    return ordered
