"""lake_io's row count from Parquet footers (what a mart's write and a micro-batch report)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from spark_jobs import lake_io


def test_rows_are_counted_from_the_data_files_of_every_partition_and_hidden_files_are_skipped(tmp_path):
    table = tmp_path / "table"
    (table / "event_date=2019-10-01").mkdir(parents=True)
    (table / "event_date=2019-10-02").mkdir()
    pq.write_table(pa.table({"x": [1, 2, 3]}), table / "event_date=2019-10-01" / "part-0.parquet")
    pq.write_table(pa.table({"x": [4]}), table / "event_date=2019-10-02" / "part-0.parquet")
    (table / "_SUCCESS").write_text("")
    (table / "event_date=2019-10-01" / ".part-0.parquet.crc").write_bytes(b"\0")
    assert lake_io.parquet_rows(str(table)) == 4
    assert lake_io.parquet_rows(str(table / "event_date=2019-10-02")) == 1


def test_a_missing_or_empty_folder_has_no_rows(tmp_path):
    (tmp_path / "empty").mkdir()
    assert lake_io.parquet_rows(str(tmp_path / "missing")) == 0
    assert lake_io.parquet_rows(str(tmp_path / "empty")) == 0
