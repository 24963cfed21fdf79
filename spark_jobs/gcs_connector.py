"""Spark settings for `gs://` paths outside Dataproc (where the GCS connector is preinstalled).

Locally the shaded connector jar comes from the PyPI package `pyspark-gcs`. With Spark 4's Hadoop the
connector (2.2.x) fails on size strings such as `64m`, so every size option is given in bytes. When
STORAGE_EMULATOR_HOST points at a GCS emulator (tests, fake-gcs-server), the connector talks to it
without credentials.
"""

from __future__ import annotations

import os
from pathlib import Path

_SIZES_IN_BYTES = {
    "fs.gs.block.size": 64 * 1024 * 1024,
    "fs.gs.rewrite.max.chunk.size": 512 * 1024 * 1024,
    "fs.gs.outputstream.buffer.size": 8 * 1024 * 1024,
    "fs.gs.inputstream.inplace.seek.limit": 8 * 1024 * 1024,
    "fs.gs.inputstream.min.range.request.size": 2 * 1024 * 1024,
}


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
