"""The stream's own commit records, beside Spark's checkpoint, in a folder readers ignore.

Spark's checkpoint makes a restarted query run the micro-batch it was in again, with the same
files. The ledger makes that replay harmless:
- `<n>.prepared.json`: written before the clean events are replaced, with the rows the touched days
  held before; a replay after a kill counts this batch's new rows against that number, not against
  a state its own first attempt may already have changed;
- `<n>.applied.json`: written last (the batch's report); a batch id found here is skipped;
- `state.json`: the months whose monthly marts and sessions wait for their cadence, and the newest
  event time seen (the watermark the lateness window is measured from).
"""

from __future__ import annotations

import json

from spark_jobs import lake_io
from spark_jobs.lake import Lake


def checkpoint_path(lake: Lake) -> str:
    return lake.path("_checkpoints", "stream")


class Ledger:
    def __init__(self, spark, lake: Lake) -> None:
        self.spark = spark
        self.lake = lake
        self.folder = lake.path("_checkpoints", "stream-ledger")

    def _uri(self, name: str) -> str:
        return self.lake.spark_uri(f"{self.folder}/{name}")

    def _read(self, name: str) -> dict | None:
        uri = self._uri(name)
        return json.loads(lake_io.read_text(uri)) if lake_io.exists(uri) else None

    def _write(self, name: str, record: dict) -> None:
        lake_io.write_text_atomically(self._uri(name), json.dumps(record, indent=2, sort_keys=True))

    def prepared(self, batch_id: str) -> dict | None:
        return self._read(f"{batch_id}.prepared.json")

    def write_prepared(self, batch_id: str, record: dict) -> None:
        self._write(f"{batch_id}.prepared.json", record)

    def applied(self, batch_id: str) -> dict | None:
        return self._read(f"{batch_id}.applied.json")

    def write_applied(self, batch_id: str, record: dict) -> None:
        self._write(f"{batch_id}.applied.json", record)

    def state(self) -> dict:
        return self._read("state.json") or {"pending_months": [], "max_event_time": None}

    def write_state(self, state: dict) -> None:
        self._write("state.json", state)

    def started(self) -> bool:
        """Whether this lake has had a micro-batch applied (so its checkpoint must exist)."""
        return lake_io.exists(self._uri("state.json"))

    def forget(self) -> None:
        lake_io.delete(self.lake.spark_uri(self.folder))
