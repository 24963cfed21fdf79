"""A stand-in for the Dataproc Serverless batches REST API on 127.0.0.1 (a mock, said plainly).

Dataproc itself cannot run here, so this HTTP server answers the two calls `spark_jobs.dataproc.submit`
makes, with the shapes of the v1 REST reference (projects.locations.batches.create / get,
projects.regions.operations.cancel, Google's error JSON): create stores the request body and answers
an Operation (409 ALREADY_EXISTS for a known id); get walks each batch through `states` (the last one
repeats) and names the batch's `operation`; cancelling that operation (what `gcloud dataproc batches
cancel` does) turns the batch CANCELLING, then CANCELLED. It proves what our client sends
and how it reacts, not that Dataproc accepts the batch.

`fake_dataproc` (per test) yields a `FakeDataproc`: set `states`, `state_message`, `create_error`,
`transient_creates` or `transient_reads`, read `batches` (id -> request body), `cancelled` (ids) and
`requests` afterwards.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from servers.local_http import JsonHandler, serving

BATCHES = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/batches$")
BATCH = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/batches/([^/]+)$")
CANCEL = re.compile(r"^/v1/projects/([^/]+)/regions/([^/]+)/operations/op-([^/]+):cancel$")


@dataclass
class FakeDataproc:
    endpoint: str = ""
    states: list[str] = field(default_factory=lambda: ["PENDING", "RUNNING", "SUCCEEDED"])
    state_message: str = ""
    create_error: tuple[int, str, str] | None = None  # (HTTP status, status name, message)
    transient_creates: int = 0  # answer 503 to this many creates first (after storing the batch)
    transient_reads: int = 0  # answer 503 to this many reads first
    batches: dict[str, dict] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)
    cancelled: dict[str, int] = field(default_factory=dict)  # batch id -> reads after the cancel
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler_for(fake: FakeDataproc):
    class Handler(JsonHandler):
        def _error(self, status: int, name: str, message: str) -> None:
            self._send(status, {"error": {"code": status, "status": name, "message": message}})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = self._json_body()
            with fake.lock:
                fake.requests.append(("POST", self.path))
                cancel = CANCEL.match(url.path)
                if cancel and cancel[3] in fake.batches:
                    fake.cancelled.setdefault(cancel[3], 0)
                    return self._send(200, {})
                match = BATCHES.match(url.path)
                if not match:
                    return self._error(404, "NOT_FOUND", f"no such method {url.path}")
                if fake.create_error:
                    return self._error(*fake.create_error)
                batch_id = parse_qs(url.query).get("batchId", [""])[0]
                name = f"projects/{match[1]}/locations/{match[2]}/batches/{batch_id}"
                if batch_id in fake.batches:
                    return self._error(409, "ALREADY_EXISTS", f"Already exists: Batch {name}")
                if "mainPythonFileUri" not in body.get("pysparkBatch", {}):
                    return self._error(400, "INVALID_ARGUMENT", "pysparkBatch.mainPythonFileUri is required")
                fake.batches[batch_id] = body
                if fake.transient_creates > 0:  # created, but the answer is lost
                    fake.transient_creates -= 1
                    return self._error(503, "UNAVAILABLE", "The service is currently unavailable.")
                operation = f"projects/{match[1]}/regions/{match[2]}/operations/op-{batch_id}"
            self._send(200, {"name": operation, "metadata": {"batch": name}})

        def do_GET(self) -> None:
            with fake.lock:
                fake.requests.append(("GET", self.path))
                match = BATCH.match(urlsplit(self.path).path)
                if not match or match[3] not in fake.batches:
                    return self._error(404, "NOT_FOUND", f"Not found: {self.path}")
                if fake.transient_reads > 0:
                    fake.transient_reads -= 1
                    return self._error(503, "UNAVAILABLE", "The service is currently unavailable.")
                seen = fake.reads.get(match[3], 0)
                fake.reads[match[3]] = seen + 1
                state = fake.states[min(seen, len(fake.states) - 1)]
                if match[3] in fake.cancelled:
                    state = "CANCELLING" if fake.cancelled[match[3]] == 0 else "CANCELLED"
                    fake.cancelled[match[3]] += 1
                name = f"projects/{match[1]}/locations/{match[2]}/batches/{match[3]}"
            batch = {
                "name": name,
                "state": state,
                "operation": f"projects/{match[1]}/regions/{match[2]}/operations/op-{match[3]}",
                "runtimeInfo": {"outputUri": f"gs://driver-output/{match[3]}"},
            }
            if fake.state_message:
                batch["stateMessage"] = fake.state_message
            self._send(200, batch)

    return Handler


@pytest.fixture
def fake_dataproc():
    fake = FakeDataproc()
    with serving(_handler_for(fake), "fake-dataproc") as url:
        fake.endpoint = url
        yield fake
