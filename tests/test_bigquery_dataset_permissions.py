"""The loader's dataset step under the permissions Terraform grants (terraform/iam.tf).

The BigQuery emulator has no IAM, so it cannot show the 403 a real project answers. These tests use a
fake: an HTTP server on 127.0.0.1 that answers the two dataset calls (datasets.get, datasets.insert)
with the status codes and error JSON BigQuery itself returns (`notFound` 404 for a missing dataset,
`accessDenied` 403 for an identity without `bigquery.datasets.create`), talked to by the real
google-cloud-bigquery client. It proves which calls the loader makes and how it reacts, not that
BigQuery grants what Terraform asks for.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pytest
from google.api_core.retry import Retry
from servers.local_http import JsonHandler, serving

from spark_jobs.errors import UserError
from spark_jobs.warehouse.bigquery_loader import Calls, ensure_dataset, make_client

PROJECT, DATASET = "demo-project", "clickstream"
DATASET_PATH = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/([^/?]+)")
DATASETS_PATH = re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets(\?.*)?$")


def bigquery_error(status: int, reason: str, message: str) -> dict:
    """Google's error JSON as BigQuery sends it (code, message, errors[].reason, status)."""
    names = {403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS"}
    detail = {"message": message, "domain": "global", "reason": reason}
    return {"error": {"code": status, "message": message, "errors": [detail], "status": names[status]}}


@dataclass
class FakeBigQueryDatasets:
    """Datasets that exist (id -> location) and whether the caller holds bigquery.datasets.create."""

    endpoint: str = ""
    existing: dict[str, str] = field(default_factory=dict)
    may_create: bool = False
    may_read: bool = True
    requests: list[tuple[str, str]] = field(default_factory=list)
    created: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler_for(fake: FakeBigQueryDatasets):
    class Handler(JsonHandler):
        content_type = "application/json; charset=UTF-8"

        def _resource(self, project: str, dataset: str, location: str) -> dict:
            return {
                "kind": "bigquery#dataset",
                "id": f"{project}:{dataset}",
                "datasetReference": {"projectId": project, "datasetId": dataset},
                "location": location,
            }

        def do_GET(self) -> None:
            with fake.lock:
                fake.requests.append(("GET", self.path))
                match = DATASET_PATH.match(self.path)
                if not fake.may_read:
                    message = f"Access Denied: Dataset {match[1]}:{match[2]}: Permission bigquery.datasets.get denied on dataset {match[1]}:{match[2]} (or it may not exist)."
                    return self._send(403, bigquery_error(403, "accessDenied", message))
                if match[2] not in fake.existing:
                    message = f"Not found: Dataset {match[1]}:{match[2]}"
                    return self._send(404, bigquery_error(404, "notFound", message))
                self._send(200, self._resource(match[1], match[2], fake.existing[match[2]]))

        def do_POST(self) -> None:
            body = self._json_body()
            with fake.lock:
                fake.requests.append(("POST", self.path))
                project = DATASETS_PATH.match(self.path)[1]
                # BigQuery checks the permission first, whether or not the dataset exists.
                if not fake.may_create:
                    message = f"Access Denied: Project {project}: User does not have bigquery.datasets.create permission in project {project}."
                    return self._send(403, bigquery_error(403, "accessDenied", message))
                dataset = body["datasetReference"]["datasetId"]
                if dataset in fake.existing:
                    message = f"Already Exists: Dataset {project}:{dataset}"
                    return self._send(409, bigquery_error(409, "duplicate", message))
                fake.existing[dataset] = body.get("location", "US")
                fake.created.append(body)
            self._send(200, self._resource(project, dataset, fake.existing[dataset]))

    return Handler


@pytest.fixture
def fake_bigquery():
    fake = FakeBigQueryDatasets()
    with serving(_handler_for(fake), "fake-bigquery-datasets") as url:
        fake.endpoint = url
        yield fake


def run_ensure(fake: FakeBigQueryDatasets, location: str = "europe-west1") -> None:
    client = make_client(PROJECT, location, api_endpoint=fake.endpoint)
    calls = Calls(timeout=10.0, retry=Retry(timeout=10.0), labels={}, location=location)
    ensure_dataset(client, PROJECT, DATASET, calls)


def test_an_existing_dataset_is_used_without_the_create_permission(fake_bigquery):
    """What the Kestra account has: dataEditor on the Terraform-made dataset, no datasets.create."""
    fake_bigquery.existing = {DATASET: "europe-west1"}

    run_ensure(fake_bigquery)

    assert [method for method, _ in fake_bigquery.requests] == ["GET"]


def test_a_missing_dataset_is_created_in_the_location_with_labels(fake_bigquery):
    fake_bigquery.may_create = True

    run_ensure(fake_bigquery)

    assert [method for method, _ in fake_bigquery.requests] == ["GET", "POST"]
    (created,) = fake_bigquery.created
    assert created["datasetReference"] == {"projectId": PROJECT, "datasetId": DATASET}
    assert (created["location"], created["labels"]) == ("europe-west1", {"app": "clickstream"})


def test_a_refused_creation_names_the_missing_permission_and_the_role(fake_bigquery):
    with pytest.raises(UserError) as error:
        run_ensure(fake_bigquery)

    message = str(error.value)
    assert message.startswith("BigQuery dataset demo-project.clickstream does not exist and this identity")
    assert "User does not have bigquery.datasets.create permission in project demo-project" in message
    assert "terraform/bigquery.tf" in message and "roles/bigquery.dataEditor" in message


def test_a_refused_lookup_names_the_role_to_grant_on_the_dataset(fake_bigquery):
    fake_bigquery.may_read = False

    with pytest.raises(UserError, match="refused to read dataset demo-project.clickstream .*dataEditor"):
        run_ensure(fake_bigquery)
    assert [method for method, _ in fake_bigquery.requests] == ["GET"]


def test_a_dataset_in_another_location_is_named_before_any_load(fake_bigquery):
    fake_bigquery.existing = {DATASET: "US"}

    with pytest.raises(UserError, match="is in US, not europe-west1: pass --location US"):
        run_ensure(fake_bigquery)
