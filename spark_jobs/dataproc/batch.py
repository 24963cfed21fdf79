"""The Dataproc Serverless batch that processes a month: its request body and recommended properties.

Pure data, no I/O. `submit.py` sends the body; the README's Performance section explains the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spark_jobs.errors import UserError

# Sized from the local measurements (README, Performance, "Dataproc Serverless for a month"): about
# 40 k rows/s per core end to end, 2 GiB of heap per core, 16 executor cores for a 42-67 M-row month.
RECOMMENDED_PROPERTIES: dict[str, str] = {
    "spark.executor.instances": "4",
    "spark.executor.cores": "4",
    "spark.executor.memory": "8g",
    "spark.driver.cores": "4",
    "spark.driver.memory": "4g",
    "spark.dynamicAllocation.enabled": "false",
    # about 4x the 16 executor cores; AQE coalesces the small stages
    "spark.sql.shuffle.partitions": "64",
    "spark.sql.adaptive.enabled": "true",
}

# Dataproc's rules for a batch id (projects.locations.batches.create, `batchId`) and for label keys
# and values (lowercase letters, digits, `_` and `-`).
BATCH_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,61}[a-z0-9]$")
LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
FINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")


@dataclass(frozen=True)
class PySparkBatch:
    """What to run (main file, package, arguments) and where (runtime, identity, network)."""

    main_python_file_uri: str
    args: tuple[str, ...]
    python_file_uris: tuple[str, ...] = ()
    runtime_version: str | None = None
    properties: dict[str, str] = field(default_factory=lambda: dict(RECOMMENDED_PROPERTIES))
    service_account: str | None = None
    subnetwork_uri: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict:
        """The `Batch` resource as the REST API takes it (camelCase JSON)."""
        for key, value in self.labels.items():
            if not LABEL_KEY.match(key) or not LABEL_VALUE.match(value):
                raise UserError(
                    f"label {key}={value}: keys and values take lowercase letters, digits, _ and - "
                    "(keys start with a letter, 63 characters at most)"
                )
        pyspark = {"mainPythonFileUri": self.main_python_file_uri, "args": list(self.args)}
        if self.python_file_uris:
            pyspark["pythonFileUris"] = list(self.python_file_uris)
        runtime = {"properties": dict(self.properties)}
        if self.runtime_version:
            runtime["version"] = self.runtime_version
        execution = {}
        if self.service_account:
            execution["serviceAccount"] = self.service_account
        if self.subnetwork_uri:
            execution["subnetworkUri"] = self.subnetwork_uri
        body = {"pysparkBatch": pyspark, "runtimeConfig": runtime}
        if execution:
            body["environmentConfig"] = {"executionConfig": execution}
        if self.labels:
            body["labels"] = dict(self.labels)
        return body


def check_batch_id(batch_id: str) -> str:
    if not BATCH_ID.match(batch_id):
        raise UserError(
            f"batch id {batch_id!r}: Dataproc takes 4-63 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return batch_id


def parse_pairs(pairs: list[str] | None, what: str) -> dict[str, str]:
    """`KEY=VALUE` arguments as a dict (later ones win)."""
    parsed = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserError(f"{what} {pair!r}: expected KEY=VALUE")
        parsed[key] = value
    return parsed
