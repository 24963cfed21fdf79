"""`_manifest.json`: what a published month holds. Its presence means the month is complete.

The leading underscore makes Spark skip it, so the clean job can read the month folder as is.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from spark_jobs import __version__
from spark_jobs.ingest.sources import KAGGLE_HEADER
from spark_jobs.ingest.split import SplitResult

MANIFEST_NAME = "_manifest.json"
FORMAT_VERSION = 1

log = logging.getLogger("spark_jobs.ingest")


def build_manifest(
    *,
    month: str,
    source_uri: str,
    source_bytes: int,
    split: SplitResult,
    part_size_bytes: int,
    part_format: str = "parquet",
    compress: bool = True,
) -> dict:
    """`format` is "parquet" or "csv"; `compression` is "zstd" for Parquet parts, "gzip"/"none" for CSV."""
    if part_format == "parquet":
        compression = "zstd"
    else:
        compression = "gzip" if compress else "none"
    return {
        "format_version": FORMAT_VERSION,
        "month": month,
        "source": {"uri": source_uri, "bytes": source_bytes, "gzip": split.compressed_input},
        "header": KAGGLE_HEADER,
        "rows": split.rows,
        "format": part_format,
        "compression": compression,
        "part_size_bytes": part_size_bytes,
        "parts": [part.as_manifest_entry() for part in split.parts],
        "ingested_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tool": {"name": "spark-jobs", "version": __version__},
    }


def dumps(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=False) + "\n").encode()


def loads(data: bytes, where: str) -> dict | None:
    """The manifest, or None (with a warning) when it is not a manifest this tool can trust."""
    try:
        manifest = json.loads(data)
        if manifest.get("format_version") == FORMAT_VERSION and isinstance(manifest.get("parts"), list):
            return manifest
    except (ValueError, AttributeError):
        pass
    log.warning("%s: unreadable manifest; the month will be ingested again", where)
    return None


def expected_parts(manifest: dict) -> dict[str, dict]:
    return {part["name"]: part for part in manifest["parts"]}
