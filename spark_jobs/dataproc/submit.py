"""Submit a PySpark batch to Dataproc Serverless over its REST API and wait until it ends.

Kestra's PySparkSubmit task is not used: it has no pythonFileUris and, in every plugin-gcp version read
(AbstractBatch.run), it replaces the batch's environment config with an empty one after building it,
so the service account and subnetwork given to it never reach Dataproc.

Idempotent per batch id: when the id already exists (the same attempt submitted again, e.g. after the
worker restarted), the existing batch is followed instead of a second one being started.

Never leaves a batch behind: when the command is stopped (SIGTERM or SIGHUP; Kestra's Process task
runner sends SIGTERM to every descendant process of a task it times out or kills, Process.java
`killDescendantsOf`; Ctrl-C) or its own timeout passes, it cancels
the batch (the batch's operation, as `gcloud dataproc batches cancel` does) and waits a little for it
to end, so a retry does not run next to it writing the same partitions.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
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
DEFAULT_TIMEOUT_SECONDS = 4 * 3600.0
DEFAULT_CANCEL_WAIT_SECONDS = 120.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class DataprocError(UserError):
    """The batch could not be created, failed, was cancelled, or did not end in time."""


class StopRequested(Exception):
    """The command was asked to stop (a signal) while it followed a batch."""


class BatchTimedOut(Exception):
    """The batch had not ended when the command's own timeout passed."""


@contextlib.contextmanager
def _stop_signals_raise():
    """While following a batch, SIGTERM/SIGHUP raise StopRequested (once) instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():  # signals only reach the main thread
        yield
        return
    received = []

    def stop(signum, frame):
        if not received:  # a second signal while cancelling must not interrupt the cancel
            received.append(signum)
            raise StopRequested(signal.Signals(signum).name)

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


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
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    cancel_wait_seconds: float = DEFAULT_CANCEL_WAIT_SECONDS,
) -> dict:
    """Create the batch (or find it), follow it to its end; return the succeeded batch resource.

    Stopped or timed out while following it, cancel the batch before failing.
    """
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
    url = f"{endpoint}/v1/{quote(name)}"
    with _stop_signals_raise():
        try:
            return _wait(session, url, name, poll_seconds, timeout_seconds)
        except (StopRequested, BatchTimedOut, KeyboardInterrupt) as reason:
            why = (
                f"stopped ({reason or 'interrupted'})"
                if not isinstance(reason, BatchTimedOut)
                else f"still running after {timeout_seconds:.0f} s"
            )
            state = _cancel(session, endpoint, url, name, poll_seconds, cancel_wait_seconds)
            if isinstance(reason, KeyboardInterrupt):
                raise
            raise DataprocError(f"Dataproc batch {name} {why}: cancelled it, now {state}") from None


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
            raise BatchTimedOut(state)
        time.sleep(poll_seconds)


def _cancel(
    session: requests.Session, endpoint: str, url: str, name: str, poll_seconds: float, wait_seconds: float
) -> str:
    """Cancel the batch's operation and wait up to `wait_seconds` for a final state; return the state.

    Best effort, never raises: a batch that cannot be cancelled is named in the log with the command
    that stops it by hand.
    """
    batch_id, region = name.rsplit("/", 1)[1], name.split("/")[3]
    by_hand = f"`gcloud dataproc batches cancel {batch_id} --region {region}`"
    current = _read_batch_quietly(session, url, name)
    if current and current.get("state") in FINAL_STATES:
        return current["state"]
    operation = (current or {}).get("operation")
    if not operation:
        log.error("batch %s: its operation is unknown, so it keeps running; stop it with %s", name, by_hand)
        return (current or {}).get("state", "unknown")
    try:
        answer = session.post(f"{endpoint}/v1/{quote(operation)}:cancel", json={}, timeout=60)
    except (requests.ConnectionError, requests.Timeout) as error:
        log.error("batch %s: cancelling it failed (%s); stop it with %s", name, error, by_hand)
        return current.get("state", "unknown")
    if not answer.ok:
        log.error("batch %s: cancelling it failed (%s); stop it with %s", name, _error_text(answer), by_hand)
        return current.get("state", "unknown")
    log.warning("batch %s: cancel requested", name)
    deadline = time.monotonic() + wait_seconds
    state = current.get("state", "unknown")
    while time.monotonic() < deadline:
        current = _read_batch_quietly(session, url, name) or {}
        state = current.get("state", state)
        if state in FINAL_STATES:
            break
        time.sleep(poll_seconds)
    log.warning("batch %s: %s", name, state)
    return state


def _read_batch_quietly(session: requests.Session, url: str, name: str) -> dict | None:
    try:
        return _read_batch(session, url, name)
    except DataprocError as error:
        log.warning("%s", error)
        return None


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
