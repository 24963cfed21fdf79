"""The BigQuery emulator (`bqemulator` from PyPI, DuckDB-backed) for the warehouse integration tests.

It lives in its own venv, `.venv-bqemu`, built by `make .venv-bqemu/.installed` (a dependency of
`make test`): it pins a DuckDB older than the project's. `bigquery_emulator` starts one in-memory
emulator per test session on free ports, waits until it answers and stops it at the end;
`bigquery_client` is a google-cloud-bigquery client pointed at it; `new_dataset` gives each test its
own dataset name so tests sharing the emulator never see each other's tables.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from servers.gcs import free_port, stop_server, wait_for_server

ROOT = Path(__file__).resolve().parents[2]
BQEMU_VENV = ROOT / ".venv-bqemu"
PROJECT = "clickstream-test"


@dataclass(frozen=True)
class BigQueryEmulator:
    endpoint: str
    project: str
    gcs_local_root: Path  # the emulator reads gs://bucket/path from gcs_local_root/bucket/path


@pytest.fixture(scope="session")
def bigquery_emulator(tmp_path_factory):
    executable = BQEMU_VENV / "bin" / "bqemulator"
    if not executable.exists():
        pytest.fail(f"{executable} is missing: run `make .venv-bqemu/.installed` (make test does)")
    rest_port, grpc_port = free_port(), free_port()
    endpoint = f"http://127.0.0.1:{rest_port}"
    log_path = tmp_path_factory.mktemp("bqemulator") / "server.log"
    gcs_local_root = tmp_path_factory.mktemp("bqemulator-gcs")
    environment = dict(
        os.environ,
        HOME=str(BQEMU_VENV / "home"),  # where the Makefile installed DuckDB's spatial extension
        BQEMU_ENABLE_FORMAT_EXTENSIONS="false",  # Avro/ORC extensions would be downloaded
        BQEMU_GCS_LOCAL_ROOT=str(gcs_local_root),  # it cannot read gs:// through the GCS API
    )
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [
                str(executable), "start",
                "--rest-host", "127.0.0.1", "--rest-port", str(rest_port),
                "--grpc-host", "127.0.0.1", "--grpc-port", str(grpc_port),
                "--project", PROJECT, "--ephemeral", "--log-level", "warning",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=environment,
        )  # fmt: skip
    try:
        probe = f"{endpoint}/bigquery/v2/projects/{PROJECT}/datasets"
        wait_for_server(probe, process, "bqemulator", log_path, timeout_s=60.0)
        yield BigQueryEmulator(endpoint, PROJECT, gcs_local_root)
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def bigquery_client(bigquery_emulator):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    client = bigquery.Client(
        project=bigquery_emulator.project,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=bigquery_emulator.endpoint),
    )
    yield client
    client.close()


@pytest.fixture
def new_dataset() -> str:
    """A dataset name no other test uses (the loader creates it)."""
    return f"test_{uuid.uuid4().hex[:10]}"
