"""Spark settings for `gs://` paths outside Dataproc (where the GCS connector is preinstalled).

Locally the shaded connector jar comes from the PyPI package `pyspark-gcs`. With Spark 4's Hadoop the
connector (2.2.x) fails on size strings such as `64m`, so every size option is given in bytes. When
STORAGE_EMULATOR_HOST points at a GCS emulator (tests, fake-gcs-server), the connector talks to it
without credentials. Otherwise a service-account key named by GOOGLE_APPLICATION_CREDENTIALS (what
the Kestra flows write from their secret) is handed to the connector as its key file; without one the
connector asks the metadata server (a worker running as the service account on GCE/GKE). The 2.2
connector reads no other kind of credential file (authorized_user, external_account).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

_SIZES_IN_BYTES = {
    "fs.gs.block.size": 64 * 1024 * 1024,
    "fs.gs.rewrite.max.chunk.size": 512 * 1024 * 1024,
    "fs.gs.outputstream.buffer.size": 8 * 1024 * 1024,
    "fs.gs.inputstream.inplace.seek.limit": 8 * 1024 * 1024,
    "fs.gs.inputstream.min.range.request.size": 2 * 1024 * 1024,
}


log = logging.getLogger("spark_jobs.gcs")

# Both spellings: the 2.x connector reads its auth options under `google.cloud.` and `fs.gs.`.
KEYFILE_KEYS = ("google.cloud.auth.service.account.json.keyfile", "fs.gs.auth.service.account.json.keyfile")


def credential_type(path: str) -> str | None:
    """The `type` of a Google credential file (service_account, external_account, ...), None if unreadable."""
    try:
        with open(path) as handle:
            return json.load(handle).get("type")
    except (OSError, ValueError, AttributeError):
        return None


def credentials_conf(path: str | None = None) -> dict[str, str]:
    """The connector's key file when GOOGLE_APPLICATION_CREDENTIALS (or `path`) is a service-account key."""
    path = path or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not path:
        return {}
    kind = credential_type(path)
    if kind != "service_account":
        log.warning(
            "GOOGLE_APPLICATION_CREDENTIALS (%s) holds an %s credential; the GCS connector of local Spark reads "
            "only service-account keys or the metadata server, so gs:// paths may be refused",
            path,
            kind or "unreadable",
        )
        return {}
    return {f"spark.hadoop.{key}": path for key in KEYFILE_KEYS}


def connector_jar() -> Path | None:
    try:
        import pyspark_gcs
    except ImportError:
        return None
    jars = sorted((Path(pyspark_gcs.__file__).parent / "jars").glob("gcs-connector-*.jar"))
    return jars[-1] if jars else None


def gcs_conf(emulator: str | None = None) -> dict[str, str]:
    """Builder settings that make `gs://` work in a local session; empty when no connector is available."""
    jar = connector_jar()
    if jar is None:
        return {}
    conf = {
        "spark.jars": str(jar),
        "spark.hadoop.fs.gs.impl": "com.google.cloud.hadoop.fs.gcs.GoogleHadoopFileSystem",
        "spark.hadoop.fs.AbstractFileSystem.gs.impl": "com.google.cloud.hadoop.fs.gcs.GoogleHadoopFS",
        **{f"spark.hadoop.{key}": str(value) for key, value in _SIZES_IN_BYTES.items()},
    }
    emulator = emulator or os.environ.get("STORAGE_EMULATOR_HOST")
    if not emulator:
        conf.update(credentials_conf())
    if emulator:
        conf.update(
            {
                "spark.hadoop.fs.gs.storage.root.url": emulator.rstrip("/"),
                "spark.hadoop.fs.gs.auth.null.enable": "true",
                # otherwise the connector asks the GCE metadata server for a token first
                "spark.hadoop.fs.gs.auth.service.account.enable": "false",
                "spark.hadoop.fs.gs.project.id": "test",
            }
        )
    return conf
