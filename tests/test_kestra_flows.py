"""The Kestra flows in kestra_flows/, checked offline.

No Kestra server runs here (it needs Java 21 and its jar or image, neither reachable), and Kestra
publishes its flow JSON schema only from a running server. So these tests are a stand-in for
`kestractl flows validate`, honest about what they cover: they parse every flow, check ids and
patterns, check each task type against the list below (required and known properties, taken
from the sources named there), check the Kestra 2.0 rules that reject a flow on save, resolve
every expression reference, and run the project commands the flows run with the exact flags
they pass. They do not prove a flow executes on a real Kestra; the end-to-end test of the
commands themselves (against the GCS and BigQuery emulators) is a separate integration test.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from kestra_commands import (
    VENV_COMMANDS,
    VENV_PYTHON,
    Flow,
    ProjectCommand,
    load_flows,
    pipeline_commands,
    render,
)
from kestra_commands import project_commands as all_project_commands
from terraform_config import output_names

ROOT = Path(__file__).resolve().parent.parent
FLOWS_DIR = ROOT / "kestra_flows"
NAMESPACE = "clickstream"
FLOW_FILES = sorted(FLOWS_DIR.glob("*.yml"))

# Patterns of Kestra's model classes (kestra-io/kestra, core/.../models/flows/AbstractFlow.java
# `@Pattern` on id and namespace, `@Size(max = 100)` on id; Task.java on task ids; Label keys
# per kestra2-flow-migration's notes on Label.java).
FLOW_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$")
NAMESPACE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
TASK_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$")
LABEL_KEY = re.compile(r"^[a-z][a-zA-Z0-9._-]*$")
# Flow ids Kestra 2.0 reserves (kestra2-flow-migration, migration-documentation/flows-changes.md).
RESERVED_FLOW_IDS = {
    "pause",
    "resume",
    "force-run",
    "change-status",
    "kill",
    "executions",
    "search",
    "source",
}
RESERVED_FLOW_IDS |= {"disable", "enable"}

FLOW_KEYS = {
    "id", "namespace", "description", "labels", "inputs", "outputs", "variables", "tasks", "errors",
    "finally", "triggers", "concurrency", "retry", "disabled", "afterExecution", "sla", "checks",
}  # fmt: skip
# Removed in 2.0 (kestra.io/docs/migration-guide/v2.0.0: pluginDefaults-removed, listeners, templates).
REMOVED_FLOW_KEYS = {"pluginDefaults", "taskDefaults", "listeners"}
INPUT_TYPES = {"STRING", "INT", "FLOAT", "BOOL", "SELECT", "MULTISELECT", "JSON", "DATE", "DATETIME", "TIME"}
INPUT_TYPES |= {"DURATION", "FILE", "URI", "SECRET", "ARRAY", "YAML", "EMAIL"}

COMMON_TASK_KEYS = {"id", "type", "description", "retry", "timeout", "disabled", "logLevel", "allowFailure"}
COMMON_TASK_KEYS |= {"allowWarning", "runIf", "logToFile"}
SCRIPT_KEYS = {"taskRunner", "containerImage", "beforeCommands", "env", "namespaceFiles", "inputFiles"}
SCRIPT_KEYS |= {"outputFiles", "interpreter", "targetOS", "failFast"}
GCP_KEYS = {"projectId", "serviceAccount", "impersonatedServiceAccount", "scopes"}


@dataclass(frozen=True)
class PluginType:
    required: frozenset[str]
    known: frozenset[str]  # besides the common task keys; Kestra 2.0 rejects unknown properties
    source: str
    outputs: frozenset[str] = frozenset()
    nested: dict[str, frozenset[str]] = field(default_factory=dict)


def _plugin(required, known, source, outputs=(), nested=None) -> PluginType:
    return PluginType(
        frozenset(required), frozenset(required) | frozenset(known), source, frozenset(outputs), nested or {}
    )


# Every task, trigger and task-runner type the flows may use, as of Kestra 2.0 and its plugins.
PLUGIN_TYPES: dict[str, PluginType] = {
    "io.kestra.plugin.core.flow.Subflow": _plugin(
        {"namespace", "flowId"},
        {"revision", "inputs", "labels", "wait", "transmitFailed", "inheritLabels", "scheduleDate"}
        | {"restartBehavior"},  # `outputs` was removed in 2.0
        "kestra-io/kestra core/.../plugin/core/flow/Subflow.java (@NotEmpty namespace, @NotNull flowId); "
        "migration guide v2.0.0 (Subflow.outputs removed)",
        {"executionId", "state", "outputs"},
    ),
    "io.kestra.plugin.core.flow.Loop": _plugin(
        {"values", "tasks"},
        {"concurrencyLimit", "transmitFailed", "outputs", "fetchType", "breakWhen", "errors", "finally"},
        "kestra-io/kestra core/.../plugin/core/flow/Loop.java (@NotNull values); "
        "kestra.io/docs/migration-guide/v2.0.0/foreach-loop (replaces ForEach/ForEachItem)",
        {"iterationCount", "outputs", "uri"},
    ),
    "io.kestra.plugin.core.flow.Switch": _plugin(
        {"value", "cases"},
        {"defaults", "errors", "finally"},
        "kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.Switch",
        {"value", "defaults"},
    ),
    "io.kestra.plugin.core.debug.Return": _plugin(
        {"format"},
        set(),
        "kestra-io/kestra Loop.java 2.0 examples; kestra.io/plugins core.debug.Return",
        {"value"},
    ),
    "io.kestra.plugin.core.log.Log": _plugin(
        {"message"},
        {"level"},
        "kestra.io/docs/workflow-components/retries (Log example); plugins core.log.Log",
    ),
    "io.kestra.plugin.core.kv.Set": _plugin(
        {"key", "value"},
        {"namespace", "overwrite", "ttl", "kvType", "kvDescription"},
        "kestra.io/plugins/core/kv/io.kestra.plugin.core.kv.Set (key *Required, value *Required)",
    ),
    "io.kestra.plugin.scripts.python.Commands": _plugin(
        {"commands"},
        SCRIPT_KEYS,
        "kestra2-flow-migration flows-changes.md (script tasks); kestra.io/docs/workflow-components/retries",
        {"exitCode", "vars", "outputFiles"},
    ),
    "io.kestra.plugin.scripts.python.Script": _plugin(
        {"script"},
        SCRIPT_KEYS,
        "kestra2-flow-migration flows-changes.md (python.Script)",
        {"exitCode", "vars", "outputFiles"},
    ),
    "io.kestra.plugin.scripts.shell.Commands": _plugin(
        {"commands"},
        SCRIPT_KEYS,
        "kestra.io/docs/workflow-components/retries (shell.Commands with a Process taskRunner)",
        {"exitCode", "vars", "outputFiles"},
    ),
    "io.kestra.plugin.gcp.gcs.Upload": _plugin(
        {"from", "to"},
        GCP_KEYS | {"contentType", "contentEncoding", "contentDisposition", "cacheControl"},
        "kestra.io/plugins/plugin-gcp/gcs/io.kestra.plugin.gcp.gcs.Upload (the task needs from and to)",
        {"uri"},
    ),
}
TRIGGER_TYPES: dict[str, PluginType] = {
    "io.kestra.plugin.core.trigger.Schedule": _plugin(
        {"cron"},
        {"timezone", "inputs", "when", "labels", "withSeconds", "stopAfter", "recoverMissedSchedules"}
        | {"description", "disabled"},  # `backfill` and `conditions` are gone in 2.0
        "kestra.io/docs/migration-guide/v2.0.0 (Schedule.backfill removed, conditions -> when)",
    ),
}
TASK_RUNNER_TYPES = {"io.kestra.plugin.core.runner.Process": "kestra.io/docs/workflow-components/retries"}
# Constructs that fail to parse on 2.0 (kestra.io/docs/migration-guide/v2.0.0 and kestra2-flow-migration).
REMOVED_TYPES = re.compile(
    r"io\.kestra\.(core|plugin\.core)\.(tasks\.)?flows?\.(ForEach|ForEachItem|EachSequential|EachParallel|Template)\b"
)
FLOWABLE_TYPES = {
    "io.kestra.plugin.core.flow.Subflow",
    "io.kestra.plugin.core.flow.Loop",
    "io.kestra.plugin.core.flow.Switch",
}
INSTANT_TYPES = {
    "io.kestra.plugin.core.debug.Return",
    "io.kestra.plugin.core.log.Log",
    "io.kestra.plugin.core.kv.Set",
}
SCRIPT_TYPES = {name for name in PLUGIN_TYPES if ".scripts." in name}


def flow_params():
    return [pytest.param(flow, id=flow.id) for flow in load_flows().values()]


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def expressions_in(value) -> list[str]:
    return [m for text in strings_in(value) for m in re.findall(r"\{[{%](.*?)[%}]\}", text, flags=re.S)]


# --- structure ---------------------------------------------------------------------------------


def test_the_expected_flows_exist():
    assert set(load_flows()) == {
        "setup_kv", "ingest_month", "process_month_dataproc", "process_month_local", "load_month",
        "monthly_pipeline", "backfill", "micro_batch", "nightly_compact",
    }  # fmt: skip


@pytest.mark.parametrize("flow", flow_params())
def test_flow_id_namespace_and_file_name_follow_kestra_patterns(flow):
    assert FLOW_ID.fullmatch(flow.id) and len(flow.id) <= 100
    assert flow.id not in RESERVED_FLOW_IDS
    assert flow.spec["namespace"] == NAMESPACE and NAMESPACE_ID.fullmatch(NAMESPACE)
    assert flow.path.stem == flow.id


@pytest.mark.parametrize("flow", flow_params())
def test_flow_uses_only_kestra_2_flow_properties(flow):
    assert set(flow.spec) <= FLOW_KEYS, set(flow.spec) - FLOW_KEYS
    assert not set(flow.spec) & REMOVED_FLOW_KEYS
    assert flow.spec.get("description") and flow.spec.get("tasks")


@pytest.mark.parametrize("flow", flow_params())
def test_task_ids_are_unique_and_valid(flow):
    ids = [task["id"] for task in flow.tasks()] + [trigger["id"] for trigger in flow.spec.get("triggers", [])]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert all(TASK_ID.fullmatch(task_id) for task_id in ids), ids


@pytest.mark.parametrize("flow", flow_params())
def test_every_task_type_is_a_kestra_2_plugin_with_its_required_and_only_known_properties(flow):
    for task in flow.tasks():
        plugin = PLUGIN_TYPES.get(task["type"])
        assert plugin, f"{flow.id}.{task['id']}: {task['type']} is not in PLUGIN_TYPES"
        assert plugin.required <= set(task), f"{flow.id}.{task['id']} misses {plugin.required - set(task)}"
        unknown = set(task) - plugin.known - COMMON_TASK_KEYS
        assert not unknown, f"{flow.id}.{task['id']}: unknown properties {unknown}"
        for name, allowed in plugin.nested.items():
            assert set(task.get(name) or {}) <= allowed, f"{flow.id}.{task['id']}.{name}"
        if "taskRunner" in task:
            assert task["taskRunner"]["type"] in TASK_RUNNER_TYPES
    for trigger in flow.spec.get("triggers", []):
        plugin = TRIGGER_TYPES.get(trigger["type"])
        assert plugin and plugin.required <= set(trigger), trigger
        assert set(trigger) - {"id", "type"} <= plugin.known, trigger


@pytest.mark.parametrize("flow", flow_params())
def test_no_construct_removed_in_kestra_2(flow):
    text = flow.path.read_text()
    assert not REMOVED_TYPES.search(text)
    assert "maxAttempt:" not in text  # renamed maxAttempts
    assert "taskrun.value" not in text  # item.value inside Loop
    assert not any(
        re.search(r"(?<![A-Za-z])json\(", expr) for expr in expressions_in(flow.spec)
    )  # fromJson()
    for trigger in flow.spec.get("triggers", []):
        assert not {"backfill", "backfills", "conditions", "scheduleConditions"} & set(trigger)
    for task in flow.tasks():
        if task["type"] in SCRIPT_TYPES:
            assert "runner" not in task and "taskRunner" in task  # `runner:` removed; be explicit


# --- inputs, triggers, references --------------------------------------------------------------


@pytest.mark.parametrize("flow", flow_params())
def test_inputs_are_typed_described_and_their_defaults_valid(flow):
    for name, item in flow.inputs.items():
        assert item["type"] in INPUT_TYPES, (name, item["type"])
        assert item.get("displayName") or item.get("description"), name
        if "defaults" in item:  # 2.0: an input with a default must be required, and defaults are static
            assert item.get("required", True) is True, name
            assert "{{" not in str(item["defaults"]), name
            if "validator" in item:
                assert re.fullmatch(item["validator"], str(item["defaults"])), name
            if item["type"] == "SELECT":
                assert item["defaults"] in item["values"], name


@pytest.mark.parametrize("flow", flow_params())
def test_schedule_triggers_supply_every_required_input_without_default(flow):
    """Kestra 2.0 rejects a Schedule that leaves a required, default-less input unset."""
    for trigger in flow.spec.get("triggers", []):
        supplied = set(trigger.get("inputs", {}))
        for name, item in flow.inputs.items():
            if item.get("required", True) and "defaults" not in item:
                assert name in supplied, f"{flow.id}: trigger {trigger['id']} leaves input {name} unset"


@pytest.mark.parametrize("flow", flow_params())
def test_every_inputs_outputs_vars_and_item_reference_resolves(flow):
    tasks = {task["id"]: task for task in flow.tasks()}
    loop_children = {
        child["id"] for task in flow.tasks() if task["type"].endswith(".Loop") for child in task["tasks"]
    }
    for expr in expressions_in(flow.spec):
        for name in re.findall(r"\binputs\.(\w+)", expr):
            assert name in flow.inputs, f"{flow.id}: {{{{ {expr} }}}} reads undeclared input {name}"
        for name in re.findall(r"\bvars\.(\w+)", expr):
            if not re.search(rf"outputs\.\w+\.vars\.{name}", expr):
                assert name in (flow.spec.get("variables") or {}), f"{flow.id}: undeclared variable {name}"
        for task_id, attribute in re.findall(r"\boutputs\.(\w+)\.(\w+)", expr):
            assert task_id in tasks, f"{flow.id}: {expr} reads outputs of unknown task {task_id}"
            assert attribute in PLUGIN_TYPES[tasks[task_id]["type"]].outputs, f"{flow.id}: {expr}"
        for task_id, path in re.findall(r"\boutputs\.(\w+)\.outputFiles\['([^']+)'\]", expr):
            assert path in tasks[task_id].get("outputFiles", []), (
                f"{flow.id}: {task_id} does not output {path}"
            )
    for task in flow.tasks():
        if "item." in json.dumps(task) and task["type"] != "io.kestra.plugin.core.flow.Loop":
            assert task["id"] in loop_children, f"{flow.id}.{task['id']} uses item.* outside a Loop"
    if "trigger." in flow.path.read_text():
        assert flow.spec.get("triggers"), f"{flow.id} reads trigger.* but has no trigger"


def subflow_calls() -> list[tuple[Flow, dict]]:
    return [
        (flow, task)
        for flow in load_flows().values()
        for task in flow.tasks()
        if task["type"] == "io.kestra.plugin.core.flow.Subflow"
    ]


@pytest.mark.parametrize(
    "flow,task", [pytest.param(f, t, id=f"{f.id}.{t['id']}") for f, t in subflow_calls()]
)
def test_subflow_targets_exist_and_get_every_input_they_need(flow, task):
    assert task["namespace"] == NAMESPACE
    target = load_flows().get(task["flowId"])
    assert target, f"{flow.id}.{task['id']} calls missing flow {task['flowId']}"
    passed = set(task.get("inputs", {}))
    assert passed <= set(target.inputs), passed - set(target.inputs)
    needed = {
        name for name, item in target.inputs.items() if item.get("required", True) and "defaults" not in item
    }
    assert needed <= passed, needed - passed
    assert task.get("wait") is True and task.get("transmitFailed") is True
    assert all(LABEL_KEY.fullmatch(key) for key in task.get("labels", {}))


# --- operations: concurrency, retries, timeouts, errors, labels, secrets --------------------------


@pytest.mark.parametrize("flow", flow_params())
def test_flows_that_touch_a_month_never_run_twice_at_once(flow):
    """Flow-level limit 1 (queued): the same month, or any two months, never overlap in one flow."""
    if flow.id == "micro_batch":  # a busy tick is dropped: the next one processes what landed meanwhile
        assert flow.spec["concurrency"] == {"limit": 1, "behavior": "CANCEL"}
    elif flow.id != "setup_kv":
        assert flow.spec["concurrency"] == {"limit": 1, "behavior": "QUEUE"}


def test_network_bound_tasks_retry_with_exponential_backoff():
    network_tasks = {
        ("ingest_month", "ingest"), ("load_month", "load"), ("process_month_dataproc", "spark_batch"),
    }  # fmt: skip
    for flow_id, task_id in network_tasks:
        retry = load_flows()[flow_id].task(task_id)["retry"]
        assert retry["type"] == "exponential" and {"interval", "maxInterval", "maxAttempts"} <= set(retry)
        assert retry["maxAttempts"] >= 2


def seconds(duration: str) -> int:
    """An ISO-8601 duration as Kestra writes timeouts (PT4H15M, PT30S) in seconds."""
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", duration)
    assert match and any(match.groups()), duration
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + secs


@pytest.mark.parametrize("flow", flow_params())
def test_every_task_that_runs_work_has_a_timeout(flow):
    for task in flow.tasks():
        if task["type"] not in FLOWABLE_TYPES | INSTANT_TYPES:
            assert seconds(task.get("timeout", "")) > 0, f"{flow.id}.{task['id']}"


def project_tasks() -> list[tuple[Flow, dict]]:
    return [
        (flow, task)
        for flow in load_flows().values()
        for task in flow.tasks()
        if any("-m spark_jobs" in line for line in task.get("commands", []))
    ]


@pytest.mark.parametrize(
    "flow,task", [pytest.param(f, t, id=f"{f.id}.{t['id']}") for f, t in project_tasks()]
)
def test_tasks_that_run_the_project_install_it_into_a_virtual_environment_of_their_own(flow, task):
    """Never the worker's own Python: `pip install --user` there puts spark-submit and any script into
    ~/.local/bin (off PATH), and the task's venv holds exactly this wheel and its pinned dependencies."""
    assert task["beforeCommands"] == VENV_COMMANDS
    assert all(line.startswith(f"{VENV_PYTHON} -m spark_jobs ") for line in task["commands"])
    assert task["namespaceFiles"]["enabled"] is True and task["namespaceFiles"]["include"][0] == "dist/*.whl"


def test_kestra_stops_the_dataproc_task_only_after_the_command_cancelled_its_batch():
    """The command cancels the batch at its own --timeout and waits --cancel-wait for it; Kestra's
    timeout is longer (plus 5 minutes for the install), so the batch never outlives the task."""
    from spark_jobs.cli import build_parser

    flow = load_flows()["process_month_dataproc"]
    task = flow.task("spark_batch")
    (line,) = task["commands"]
    words = shlex.split(render(line, sample_kv, flow.input_values({"month": "2019-10"})))
    args = build_parser("dataproc-submit").parse_args(words[3:])
    assert args.timeout == 4 * 3600 and args.cancel_wait == 120
    assert seconds(task["timeout"]) >= args.timeout + args.cancel_wait + 5 * 60


def test_the_local_engine_runs_the_job_in_local_mode_with_the_gcs_connector_and_the_key():
    """`python -m spark_jobs run` builds the session itself (spark_jobs/session.py adds the connector jar
    of pyspark-gcs and, from GOOGLE_APPLICATION_CREDENTIALS, its key file); spark-submit added neither."""
    task = load_flows()["process_month_local"].task("spark_job")
    assert not any("spark-submit" in line for line in task["commands"])
    assert task["env"]["GOOGLE_APPLICATION_CREDENTIALS"] == "{{ workingDir }}/gcp-credentials.json"
    assert task["inputFiles"] == {"gcp-credentials.json": "{{ secret('GCP_SERVICE_ACCOUNT_JSON') }}"}
    assert task["env"]["SPARK_MASTER"] == "{{ inputs.spark_master }}"
    assert task["env"]["SPARK_DRIVER_MEMORY"] == "{{ inputs.driver_memory }}"


def run_local_engine_check(tmp_path, credential: dict) -> subprocess.CompletedProcess:
    check = load_flows()["monthly_pipeline"].task("check_local_engine")
    (tmp_path / "gcp-credentials.json").write_text(json.dumps(credential))
    script = render(check["script"], sample_kv, {"engine": "local"})
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)


def test_the_local_engine_on_gs_is_refused_before_ingest_without_a_service_account_key(tmp_path):
    parent = load_flows()["monthly_pipeline"]
    steps = [task["id"] for task in parent.spec["tasks"]]
    assert steps.index("check_local_engine") < steps.index("ingest")
    assert parent.task("check_local_engine")["runIf"] == "{{ inputs.engine == 'local' }}"

    refused = run_local_engine_check(
        tmp_path, {"type": "external_account", "audience": "//iam.googleapis.com/x"}
    )
    assert refused.returncode == 1
    assert (
        "engine=local cannot use the external_account credential in GCP_SERVICE_ACCOUNT_JSON"
        in refused.stderr
    )

    accepted = run_local_engine_check(
        tmp_path, {"type": "service_account", "client_email": "k@p.iam.gserviceaccount.com"}
    )
    assert accepted.returncode == 0, accepted.stderr


@pytest.mark.parametrize("flow", flow_params())
def test_errors_branch_logs_the_month_and_the_execution_id(flow):
    (handler,) = flow.spec["errors"]
    assert handler["type"] == "io.kestra.plugin.core.log.Log" and handler["level"] == "ERROR"
    assert "execution.id" in handler["message"]
    if any("month" in name for name in flow.inputs):
        assert "month" in handler["message"]


@pytest.mark.parametrize("flow", flow_params())
def test_flows_carry_labels(flow):
    labels = flow.spec["labels"]
    assert labels["project"] == NAMESPACE and "layer" in labels
    assert all(LABEL_KEY.fullmatch(key) for key in labels)


@pytest.mark.parametrize("flow", flow_params())
def test_credentials_only_come_from_secret(flow):
    text = flow.path.read_text()
    assert "BEGIN PRIVATE KEY" not in text and "private_key" not in text
    secrets = set(re.findall(r"secret\('([A-Z0-9_]+)'\)", text))
    assert secrets <= {"GCP_SERVICE_ACCOUNT_JSON"}
    for task in flow.tasks():
        if "serviceAccount" in task:
            assert task["serviceAccount"] == "{{ secret('GCP_SERVICE_ACCOUNT_JSON') }}"
        for name, content in (task.get("inputFiles") or {}).items():
            if "credential" in name:
                assert content == "{{ secret('GCP_SERVICE_ACCOUNT_JSON') }}"


# --- the project commands the flows run ----------------------------------------------------------


def sample_kv(key: str) -> str:
    """A value shaped like the Terraform output `key` (the test fails on a key Terraform lacks)."""
    assert key in output_names(), f"kv('{key}') is not a Terraform output"
    samples = {
        "gcp_project_id": "demo-project",
        "gcp_region": "europe-west1",
        "raw_root": "gs://demo-project-clickstream-lake/raw",
        "lake_root": "gs://demo-project-clickstream-lake/lake",
        "staging_bucket": "demo-project-clickstream-staging",
        "bq_dataset": "clickstream",
        "bq_location": "europe-west1",
        "dataproc_runtime_version": "2.2",
    }
    return samples.get(key, f"<{key}>")


def project_commands(**inputs) -> list[ProjectCommand]:
    return all_project_commands(sample_kv, **{"month": "2019-10", **inputs})


def flags(argv) -> set[str]:
    return {word for word in argv if word.startswith("--")}


def test_flows_run_the_documented_project_commands():
    commands = {(c.flow, c.task): c.argv for c in project_commands()}
    lake = "gs://demo-project-clickstream-lake"
    assert commands[("ingest_month", "ingest")] == (
        "ingest", "--month", "2019-10", "--source", "rees46", "--dest", f"{lake}/raw",
    )  # fmt: skip
    assert commands[("process_month_dataproc", "spark_batch")] == (
        "run", "--input", f"{lake}/raw/year=2019/month=10/", "--lake", f"{lake}/lake", "--month", "2019-10",
    )  # fmt: skip
    assert commands[("process_month_local", "spark_job")] == (
        "run", "--input", "/var/lib/clickstream/raw/year=2019/month=10/", "--lake", "/var/lib/clickstream/lake",
        "--month", "2019-10",
    )  # fmt: skip
    assert commands[("load_month", "load")] == (
        "load", "--lake", f"{lake}/lake", "--project", "demo-project", "--dataset", "clickstream",
        "--month", "2019-10", "--location", "europe-west1", "--target", "bigquery",
    )  # fmt: skip


def test_force_input_adds_the_force_flag():
    commands = {(c.flow, c.task): c.argv for c in project_commands(force=True)}
    assert commands[("ingest_month", "ingest")][-1] == "--force"


@cache
def command_help(command: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "spark_jobs", command, "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, f"`python -m spark_jobs {command} --help` failed: {result.stderr[-500:]}"
    return result.stdout


@pytest.mark.parametrize("command", sorted({c.argv[0] for c in project_commands()}))
def test_every_project_command_a_flow_runs_exists_and_lists_the_flags_it_passes(command):
    passed = set().union(*(flags(c.argv) for c in project_commands(force=True) if c.argv[0] == command))
    listed = set(re.findall(r"(--[a-z][a-z0-9-]*)", command_help(command)))
    assert passed <= listed, f"{command} does not accept {passed - listed}"


def test_rendered_commands_parse_with_the_project_cli():
    from spark_jobs.cli import build_parser

    parser = build_parser()
    for command in project_commands(force=True):
        args = parser.parse_args(list(command.argv))  # exits (fails the test) on a bad flag or value
        assert args.command == command.argv[0]


def test_dataproc_batch_gets_the_staged_package_terraform_identity_network_and_runtime():
    """What process_month_dataproc submits: the files it uploads itself, Terraform's service
    account and subnetwork, the recommended properties, and a valid batch id per attempt."""
    from spark_jobs.cli import build_parser
    from spark_jobs.dataproc.batch import BATCH_ID

    flow = load_flows()["process_month_dataproc"]
    inputs = flow.input_values({"month": "2019-10"})
    (line,) = flow.task("spark_batch")["commands"]
    words = shlex.split(render(line, sample_kv, inputs))
    assert words[:4] == [VENV_PYTHON, "-m", "spark_jobs", "dataproc-submit"]
    args = build_parser().parse_args(words[3:])
    assert (args.project, args.region, args.runtime_version) == ("demo-project", "europe-west1", "2.2")
    assert (args.service_account, args.subnetwork) == (
        "<dataproc_service_account>",
        "<dataproc_subnetwork_uri>",
    )
    staging = "gs://demo-project-clickstream-staging/artifacts/4wjLpRhz9uSIHbxE1xyZ"
    assert args.uploads == [
        f"dist/entrypoint.py={staging}/entrypoint.py", f"dist/spark_jobs.zip={staging}/spark_jobs.zip",
    ]  # fmt: skip
    assert [args.main, *args.py_files] == [f"{staging}/entrypoint.py", f"{staging}/spark_jobs.zip"]
    assert {"dist/spark_jobs.zip", "dist/entrypoint.py"} <= set(
        flow.task("spark_batch")["namespaceFiles"]["include"]
    )
    assert args.batch_id == "clickstream-2019-10-4wjlprhz9usihbxe1xyz-1" and BATCH_ID.match(args.batch_id)
    assert args.properties is None  # the recommended ones, kept in spark_jobs/dataproc/batch.py
    assert args.labels == ["month=2019-10"]


# --- parent flow and backfill -------------------------------------------------------------------


def test_monthly_pipeline_chains_ingest_process_load_and_runs_after_each_month():
    parent = load_flows()["monthly_pipeline"]
    steps = [task["id"] for task in parent.spec["tasks"]]
    assert steps == ["resolve_month", "check_local_engine", "ingest", "process", "load", "report"]
    process = parent.task("process")
    targets = {case: branch[0]["flowId"] for case, branch in process["cases"].items()}
    assert targets == {"dataproc": "process_month_dataproc", "local": "process_month_local"}
    assert set(targets) == set(parent.inputs["engine"]["values"])
    (schedule,) = parent.spec["triggers"]
    assert schedule["cron"] == "0 6 1 * *" and schedule["timezone"] == "UTC"
    assert "dateAdd(-1, 'MONTHS')" in parent.task("resolve_month")["format"]


def run_backfill_script(start: str, end: str) -> subprocess.CompletedProcess:
    backfill = load_flows()["backfill"]
    inputs = backfill.input_values({"start_month": start, "end_month": end})
    script = render(backfill.task("list_months")["script"], sample_kv, inputs)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)


def test_monthly_pipeline_runs_ingest_then_spark_then_load_for_one_month():
    """What an end-to-end test replays: the parent's subflows in order, rendered with its inputs."""
    kv = {key: sample_kv(key) for key in output_names()}
    lake = "gs://demo-project-clickstream-lake"
    ingest = ("ingest", "--month", "2020-01", "--source", "rees46", "--dest", f"{lake}/raw")
    run = (
        "run",
        "--input",
        f"{lake}/raw/year=2020/month=01/",
        "--lake",
        f"{lake}/lake",
        "--month",
        "2020-01",
    )
    load = ("load", "--lake", f"{lake}/lake", "--project", "demo-project", "--dataset", "clickstream")
    load += ("--month", "2020-01", "--location", "europe-west1", "--target", "bigquery")
    assert pipeline_commands("2020-01", kv) == [ingest, run, load]
    assert pipeline_commands("2020-01", kv, engine="local") == [ingest, run, load]
    assert pipeline_commands("2020-01", kv, force=True)[0] == (*ingest, "--force")


def test_backfill_lists_every_month_of_the_range_in_order():
    result = run_backfill_script("2019-10", "2020-04")
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("::")]
    months = json.loads(line.strip(":"))["outputs"]["months"]
    assert months == ["2019-10", "2019-11", "2019-12", "2020-01", "2020-02", "2020-03", "2020-04"]
    loop = load_flows()["backfill"].task("each_month")
    assert loop["values"] == "{{ outputs.list_months.vars.months | toJson }}"
    assert loop["concurrencyLimit"] == 1
    assert loop["tasks"][0]["flowId"] == "monthly_pipeline"


def test_backfill_rejects_a_range_that_ends_before_it_starts():
    result = run_backfill_script("2020-04", "2019-10")
    assert result.returncode != 0 and "is before start_month" in result.stderr
