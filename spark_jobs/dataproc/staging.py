"""Copy the packaged job (spark_jobs.zip, entrypoint.py) to the gs:// URIs the batch will read.

Done by `dataproc-submit --upload LOCAL=gs://...` in the same task and with the same credentials as
the submission (google-auth: a service-account key or a key-less workload-identity configuration),
instead of plugin-gcp's `gcs.Upload`, whose `serviceAccount` property reads only service-account keys
(CredentialService: `ServiceAccountCredentials.fromStream`). Uploading the same file again (a Kestra
retry) writes the same bytes to the same object.
"""

from __future__ import annotations

import logging
from pathlib import Path

from spark_jobs.errors import UserError

log = logging.getLogger("spark_jobs.dataproc")

TIMEOUT_S = 120


def parse_uploads(pairs: list[str] | None) -> list[tuple[Path, str]]:
    """`LOCAL=gs://BUCKET/OBJECT` arguments as (existing local file, gs:// URI); errors name the pair."""
    uploads = []
    for pair in pairs or []:
        local, sep, uri = pair.partition("=")
        bucket, _, name = uri.removeprefix("gs://").partition("/")
        if not sep or not uri.startswith("gs://") or not bucket or not name:
            raise UserError(f"--upload {pair!r}: expected LOCAL_FILE=gs://BUCKET/OBJECT")
        if not Path(local).is_file():
            raise UserError(f"--upload {pair!r}: {local} is not a file (run `make package` first)")
        uploads.append((Path(local), uri))
    return uploads


def upload_files(uploads: list[tuple[Path, str]], project: str | None = None, client=None) -> None:
    if not uploads:
        return
    from google.api_core.retry import Retry
    from google.cloud import storage

    client = client or storage.Client(project=project)
    for local, uri in uploads:
        bucket, _, name = uri.removeprefix("gs://").partition("/")
        blob = client.bucket(bucket).blob(name)
        blob.upload_from_filename(str(local), timeout=TIMEOUT_S, retry=Retry(timeout=4 * TIMEOUT_S))
        log.info("uploaded %s to %s (%d bytes)", local, uri, local.stat().st_size)
