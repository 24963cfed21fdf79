"""Leftovers of killed runs under the lake: found, finished or removed; never those of a live run.

- Our run folders under `<lake>/_staging/` (spark_jobs/commit.py): a dead run with a commit record is
  finished (its write was complete), one without is deleted; a live run's folder is left alone.
- Inside every table folder, what a killed Spark write or an older version of this project left:
  `.spark-staging-*`, `_temporary`, and `.<name>.tmp-*` staging folders. Nothing live writes there
  any more (every write is staged under `_staging/`), but a run of an older version might, so only
  those untouched for LEFTOVER_AGE_S go. DuckDB's `read_parquet('<table>/**/*.parquet')` and a
  BigQuery external table over the prefix would otherwise read their (often empty) files.
"""

from __future__ import annotations

import logging
import re
import time

from spark_jobs import commit, contract, lake_io
from spark_jobs.lake import Lake

log = logging.getLogger("spark_jobs.vacuum")

LEFTOVER_AGE_S = 3600.0
LEFTOVER_NAME = re.compile(r"^(\.spark-staging-.*|_temporary|\..+\.tmp-[0-9a-f]+)$")


def vacuum(lake: Lake, leftover_age_s: float = LEFTOVER_AGE_S) -> dict[str, int]:
    """Sweep the whole lake; returns how many run folders were finished/removed and leftovers deleted."""
    root = lake.spark_uri(lake.root)
    counts = commit.recover(root)
    counts["leftovers"] = 0
    now = time.time()
    for table in contract.TABLES:
        for uri in _leftovers(lake.spark_uri(lake.table_path(table))):
            newest = max(
                (e.mtime for e in lake_io.list_entries(uri, recursive=True) if e.mtime), default=None
            )
            if newest is not None and now - newest < leftover_age_s:
                continue
            log.warning("removing the leftover of a killed write: %s", uri)
            lake_io.delete(uri)
            counts["leftovers"] += 1
    return counts


def _leftovers(table_uri: str) -> list[str]:
    """Hidden staging folders directly in the table folder or in one of its partition folders."""
    found = []
    for entry in lake_io.list_entries(table_uri):
        name = entry.uri.rsplit("/", 1)[-1]
        if LEFTOVER_NAME.match(name):
            found.append(entry.uri)
        elif entry.is_dir and lake_io.is_data_name(name):
            found += [
                inner.uri
                for inner in lake_io.list_entries(entry.uri)
                if LEFTOVER_NAME.match(inner.uri.rsplit("/", 1)[-1])
            ]
    return found
