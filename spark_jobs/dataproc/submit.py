"""Submit a PySpark batch to Dataproc Serverless over its REST API and wait until it ends.

Kestra's PySparkSubmit task is not used: it has no pythonFileUris and, in every plugin-gcp version read
(AbstractBatch.run), it replaces the batch's environment config with an empty one after building it,
so the service account and subnetwork given to it never reach Dataproc.

Idempotent per batch id: when the id already exists (the same attempt submitted again, e.g. after the
worker restarted), the existing batch is followed instead of a second one being started.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

import requests

from spark_jobs.dataproc.batch import FINAL_STATES, PySparkBatch, check_batch_id
from spark_jobs.errors import UserError

log = logging.getLogger("spark_jobs.dataproc")

DEFAULT_ENDPOINT = "https://dataproc.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
# answers worth asking again while following a batch (the batch itself is not affected)
TRANSIENT_STATUS = {429, 500, 502, 503, 504}
CREATE_TRIES = 5


class DataprocError(UserError):
    """The batch could not be created, failed, was cancelled, or did not end in time."""


def http_session(api_endpoint: str | None) -> requests.Session:
    """Google's default credentials for the real API; a plain session for a stand-in at `api_endpoint`."""
    if api_endpoint:
        return requests.Session()
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = google.auth.default(scopes=list(SCOPES))
    return AuthorizedSession(credentials)


def _error_text(response: requests.Response) -> str:
    try:
        error = response.json().get("error", {})
        return f"HTTP {response.status_code} {error.get('status', '')}: {error.get('message', '')}".strip()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:300]}"


def run_batch(
    session: requests.Session,
    project: str,
    region: str,
    batch_id: str,
    batch: PySparkBatch,
    endpoint: str = DEFAULT_ENDPOINT,
    poll_seconds: float = 15.0,
    timeout_seconds: float = 4 * 3600,
) -> dict:
    """Create the batch (or find it), follow it to its end; return the succeeded batch resource."""
    check_batch_id(batch_id)
    endpoint = endpoint.rstrip("/")
    parent = f"projects/{project}/locations/{region}"
    name = f"{parent}/batches/{batch_id}"
    body = batch.body()
    for attempt in range(1, CREATE_TRIES + 1):
        if _create(session, f"{endpoint}/v1/{parent}/batches", batch_id, body, name):
            break
        if attempt == CREATE_TRIES:
            raise DataprocError(
                f"creating Dataproc batch {name} failed {CREATE_TRIES} times; see the log above"
            )
        time.sleep(poll_seconds)
    return _wait(session, f"{endpoint}/v1/{quote(name)}", name, poll_seconds, timeout_seconds)


def _create(session: requests.Session, url: str, batch_id: str, body: dict, name: str) -> bool:
    """True once the batch exists (created now, or by an earlier try); False after a transient failure.

    Asking again is safe: a batch id is created once, so a lost answer shows up as 409 next time.
    """
    try:
        created = session.post(url, params={"batchId": batch_id}, json=body, timeout=60)
    except (requests.ConnectionError, requests.Timeout) as error:
        log.warning("batch %s: creating it: %s; asking again", name, error)
        return False
    if created.status_code == 409:
        log.info("batch %s already exists (an earlier try or attempt created it): following it", name)
    elif created.status_code in TRANSIENT_STATUS:
        log.warning("batch %s: creating it: %s; asking again", name, _error_text(created))
        return False
    elif not created.ok:
        raise DataprocError(f"creating Dataproc batch {name} failed: {_error_text(created)}")
    else:
        log.info("submitted Dataproc batch %s", name)
    return True


def _wait(
    session: requests.Session, url: str, name: str, poll_seconds: float, timeout_seconds: float
) -> dict:
    deadline = time.monotonic() + timeout_seconds
    state = None
    while True:
        current = _read_batch(session, url, name)
        if current is not None:
            if current.get("state") != state:
                state = current.get("state")
                log.info("batch %s: %s %s", name, state, current.get("stateMessage", ""))
            if state == "SUCCEEDED":
                return current
            if state in FINAL_STATES:
                output = current.get("runtimeInfo", {}).get("outputUri", "(none)")
                raise DataprocError(
                    f"Dataproc batch {name} {state}: {current.get('stateMessage', 'no message')}; "
                    f"driver output: {output}"
                )
        if time.monotonic() >= deadline:
            batch_id, region = name.rsplit("/", 1)[1], name.split("/")[3]
            raise DataprocError(
                f"Dataproc batch {name} still {state or 'unknown'} after {timeout_seconds:.0f} s; it keeps "
                f"running (`gcloud dataproc batches cancel {batch_id} --region {region}` stops it)"
            )
        time.sleep(poll_seconds)


def _read_batch(session: requests.Session, url: str, name: str) -> dict | None:
    """The batch resource, or None after a transient failure (logged; the caller asks again)."""
    try:
        response = session.get(url, timeout=60)
    except (requests.ConnectionError, requests.Timeout) as error:
        log.warning("batch %s: %s; asking again", name, error)
        return None
    if response.ok:
        return response.json()
    if response.status_code in TRANSIENT_STATUS:
        log.warning("batch %s: %s; asking again", name, _error_text(response))
        return None
    raise DataprocError(f"reading Dataproc batch {name} failed: {_error_text(response)}")
