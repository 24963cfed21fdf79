"""`dataproc-submit`: the batch a month runs as on Dataproc Serverless, sent and followed to its end.

Dataproc cannot run here: these tests talk to a stand-in HTTP server with the REST API's shapes
(tests/servers/dataproc.py, a mock), also for cancelling. They specify what our client sends and how it reacts to each
answer, through the real CLI and real HTTP.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spark_jobs.cli import main
from spark_jobs.dataproc.batch import RECOMMENDED_PROPERTIES, PySparkBatch
from spark_jobs.errors import UserError

JOB = [
    "run",
    "--input",
    "gs://lake/raw/year=2019/month=10/",
    "--lake",
    "gs://lake/lake",
    "--month",
    "2019-10",
]


CANCEL_PATH = "/v1/projects/demo/regions/europe-west1/operations/op-clickstream-2019-10-abc-1:cancel"


def submit_args(fake, batch_id: str = "clickstream-2019-10-abc-1") -> list[str]:
    return [
        "dataproc-submit", "--project", "demo", "--region", "europe-west1", f"--batch-id={batch_id}",
        "--main", "gs://staging/artifacts/abc/entrypoint.py", "--py-file", "gs://staging/artifacts/abc/spark_jobs.zip",
        "--poll-seconds", "0.01", "--cancel-wait", "5", "--api-endpoint", fake.endpoint,
    ]  # fmt: skip


def submit(fake, *extra: str, batch_id: str = "clickstream-2019-10-abc-1") -> int:
    return main([*submit_args(fake, batch_id), *extra, "--", *JOB])


def test_sends_the_job_package_runtime_identity_and_network_then_succeeds(fake_dataproc):
    code = submit(
        fake_dataproc, "--runtime-version", "2.2", "--service-account", "dataproc@demo.iam.gserviceaccount.com",
        "--subnetwork", "projects/demo/regions/europe-west1/subnetworks/dataproc", "--label", "month=2019-10",
    )  # fmt: skip

    assert code == 0
    assert fake_dataproc.batches == {
        "clickstream-2019-10-abc-1": {
            "pysparkBatch": {
                "mainPythonFileUri": "gs://staging/artifacts/abc/entrypoint.py",
                "args": JOB,
                "pythonFileUris": ["gs://staging/artifacts/abc/spark_jobs.zip"],
            },
            "runtimeConfig": {"version": "2.2", "properties": RECOMMENDED_PROPERTIES},
            "environmentConfig": {
                "executionConfig": {
                    "serviceAccount": "dataproc@demo.iam.gserviceaccount.com",
                    "subnetworkUri": "projects/demo/regions/europe-west1/subnetworks/dataproc",
                }
            },
            "labels": {"month": "2019-10"},
        }
    }
    assert fake_dataproc.requests[0] == (
        "POST", "/v1/projects/demo/locations/europe-west1/batches?batchId=clickstream-2019-10-abc-1",
    )  # fmt: skip


def test_waits_until_the_batch_ends(fake_dataproc):
    fake_dataproc.states = ["PENDING", "PENDING", "RUNNING", "RUNNING", "SUCCEEDED"]

    assert submit(fake_dataproc) == 0
    assert fake_dataproc.reads == {"clickstream-2019-10-abc-1": 5}


def test_a_property_overrides_the_recommended_one_and_keeps_the_others(fake_dataproc):
    submit(fake_dataproc, "--property", "spark.executor.instances=8", "--property", "spark.executor.cores=8")

    properties = fake_dataproc.batches["clickstream-2019-10-abc-1"]["runtimeConfig"]["properties"]
    assert properties == {
        **RECOMMENDED_PROPERTIES, "spark.executor.instances": "8", "spark.executor.cores": "8",
    }  # fmt: skip


def test_a_failed_batch_fails_the_command_with_its_message_and_driver_output(fake_dataproc, capsys):
    fake_dataproc.states = ["RUNNING", "FAILED"]
    fake_dataproc.state_message = "Job failed with message [QualityError: 3.2% of rows quarantined]"

    assert submit(fake_dataproc) == 1
    assert (
        "Dataproc batch projects/demo/locations/europe-west1/batches/clickstream-2019-10-abc-1 FAILED: "
        "Job failed with message [QualityError: 3.2% of rows quarantined]; "
        "driver output: gs://driver-output/clickstream-2019-10-abc-1"
    ) in capsys.readouterr().err


def test_a_cancelled_batch_fails_the_command(fake_dataproc):
    fake_dataproc.states = ["RUNNING", "CANCELLED"]

    assert submit(fake_dataproc) == 1


def test_resubmitting_an_existing_batch_id_follows_it_instead_of_starting_another(fake_dataproc):
    assert submit(fake_dataproc) == 0
    assert submit(fake_dataproc) == 0

    assert len(fake_dataproc.batches) == 1
    assert [method for method, _ in fake_dataproc.requests].count("POST") == 2


def test_a_lost_answer_to_the_creation_is_asked_again_without_a_second_batch(fake_dataproc):
    fake_dataproc.transient_creates = 1

    assert submit(fake_dataproc) == 0
    assert len(fake_dataproc.batches) == 1
    assert [method for method, _ in fake_dataproc.requests].count("POST") == 2


def test_creation_gives_up_after_five_unavailable_answers(fake_dataproc, capsys):
    fake_dataproc.create_error = (503, "UNAVAILABLE", "The service is currently unavailable.")

    assert submit(fake_dataproc) == 1
    assert [method for method, _ in fake_dataproc.requests] == ["POST"] * 5
    assert (
        "creating Dataproc batch projects/demo/locations/europe-west1/batches/clickstream-2019-10-abc-1 failed 5 times"
        in capsys.readouterr().err
    )


def test_unavailable_answers_while_waiting_are_asked_again(fake_dataproc):
    fake_dataproc.transient_reads = 3

    assert submit(fake_dataproc) == 0


def test_a_refused_creation_names_the_batch_and_the_api_message(fake_dataproc, capsys):
    fake_dataproc.create_error = (403, "PERMISSION_DENIED", "Permission 'dataproc.batches.create' denied")

    assert submit(fake_dataproc) == 1
    assert (
        "creating Dataproc batch projects/demo/locations/europe-west1/batches/clickstream-2019-10-abc-1 failed: "
        "HTTP 403 PERMISSION_DENIED: Permission 'dataproc.batches.create' denied"
    ) in capsys.readouterr().err


def test_a_batch_still_running_at_the_timeout_is_cancelled_before_the_command_fails(fake_dataproc, capsys):
    fake_dataproc.states = ["RUNNING"]

    assert submit(fake_dataproc, "--timeout", "0.05") == 1
    assert ("POST", CANCEL_PATH) in fake_dataproc.requests
    assert fake_dataproc.cancelled == {"clickstream-2019-10-abc-1": 2}  # followed until CANCELLED
    assert (
        "Dataproc batch projects/demo/locations/europe-west1/batches/clickstream-2019-10-abc-1 still running "
        "after 0 s: cancelled it, now CANCELLED"
    ) in capsys.readouterr().err


def test_a_batch_that_ended_is_not_cancelled(fake_dataproc):
    fake_dataproc.states = ["RUNNING", "SUCCEEDED"]

    assert submit(fake_dataproc) == 0
    assert ("POST", CANCEL_PATH) not in fake_dataproc.requests


def test_a_stopped_command_cancels_its_batch(fake_dataproc, tmp_path):
    """What Kestra does on its task timeout or a kill: SIGTERM to the Process runner's command."""
    command = [sys.executable, "-m", "spark_jobs", *submit_args(fake_dataproc), "--", *JOB]
    fake_dataproc.states = ["RUNNING"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not fake_dataproc.reads.get("clickstream-2019-10-abc-1") and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 1
    assert ("POST", CANCEL_PATH) in fake_dataproc.requests
    assert "stopped (SIGTERM): cancelled it, now CANCELLED" in errors


@pytest.mark.parametrize(
    "batch_id", ["Clickstream-2019-10", "abc", "clickstream_2019", "x" * 64, "-clickstream"]
)
def test_a_batch_id_dataproc_would_refuse_is_refused_before_any_call(fake_dataproc, batch_id):
    assert submit(fake_dataproc, batch_id=batch_id) == 1
    assert fake_dataproc.requests == []


def test_the_batch_command_is_required():
    with pytest.raises(UserError, match="needs the batch's command after --"):
        from spark_jobs.cli import build_parser
        from spark_jobs.cli.dataproc_submit_cmd import run

        args = build_parser().parse_args(
            [
                "dataproc-submit",
                "--project",
                "p",
                "--region",
                "r",
                "--batch-id",
                "abcd",
                "--main",
                "gs://b/m.py",
            ]
        )
        run(args)


@pytest.mark.parametrize("label", ["Month=2019-10", "month=Oct 2019"])
def test_a_label_dataproc_would_refuse_is_named(label):
    batch = PySparkBatch("gs://b/m.py", ("run",), labels=dict([label.split("=")]))
    with pytest.raises(UserError, match=f"label {label}"):
        batch.body()


def test_without_service_account_and_subnetwork_no_environment_is_sent():
    body = PySparkBatch("gs://b/m.py", ("run",)).body()

    assert "environmentConfig" not in body
    assert body["runtimeConfig"] == {"properties": RECOMMENDED_PROPERTIES}


def test_the_readme_shows_exactly_the_recommended_properties():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Dataproc Serverless for a month", 1)[1]
    block = section.split("```", 2)[1]
    lines = [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]
    assert dict(line.split("=", 1) for line in lines if line) == RECOMMENDED_PROPERTIES


def test_the_packaged_job_is_uploaded_before_the_batch_is_created(fake_dataproc, fake_gcs, tmp_path):
    """The GCS side is real (fake-gcs-server): the same objects the batch's URIs name, same bytes."""
    from servers.gcs import gcs_client, new_bucket

    bucket = new_bucket("staging")
    package, entry = tmp_path / "spark_jobs.zip", tmp_path / "entrypoint.py"
    package.write_bytes(b"PK zip bytes")
    entry.write_text("print('entry')\n")
    uploads = [f"--upload={entry}=gs://{bucket}/artifacts/abc/entrypoint.py"]
    uploads += [f"--upload={package}=gs://{bucket}/artifacts/abc/spark_jobs.zip"]

    assert submit(fake_dataproc, *uploads) == 0

    blobs = {blob.name: blob.download_as_bytes() for blob in gcs_client().list_blobs(bucket)}
    assert blobs == {
        "artifacts/abc/entrypoint.py": b"print('entry')\n",
        "artifacts/abc/spark_jobs.zip": b"PK zip bytes",
    }
    assert len(fake_dataproc.batches) == 1


@pytest.mark.parametrize(
    "upload", ["dist/spark_jobs.zip", "missing.zip=gs://b/o", "x=s3://b/o", "x=gs://bucket-only"]
)
def test_an_upload_that_cannot_be_done_is_refused_before_any_call(fake_dataproc, tmp_path, upload, capsys):
    assert submit(fake_dataproc, f"--upload={upload}") == 1
    assert fake_dataproc.requests == []
    assert "--upload" in capsys.readouterr().err
