"""Where tables live in the lake (a local folder or a gs:// prefix) and how they are written safely."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from spark_jobs import commit
from spark_jobs.contract import Table

DEFAULT_LAKE = "data/lake"


@dataclass(frozen=True)
class Lake:
    root: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", self.root.rstrip("/"))

    @property
    def is_remote(self) -> bool:
        return re.match(r"^[a-z][a-z0-9+.-]*://", self.root) is not None

    def path(self, *parts: str) -> str:
        return "/".join([self.root, *(part.strip("/") for part in parts)])

    def table_path(self, table: Table) -> str:
        return self.path(table.lake_path)

    def table_read_path(self, table: Table) -> str:
        """What a reader opens: the table folder, or for per-batch tables the glob of batch folders."""
        path = self.table_path(table)
        return path if table.partition_column else path + "/*/*.parquet"

    def batch_folder(self, table: Table, batch_id: str) -> str:
        """The folder one batch owns: `<column>=<batch_id>` (quarantine) or `<batch_id>` (data quality)."""
        name = f"{table.partition_column}={batch_id}" if table.partition_column else batch_id
        return self.path(table.lake_path, name)

    def raw_month_path(self, year: int, month: int) -> str:
        return self.path("raw", f"year={year:04d}", f"month={month:02d}")

    def dq_report_path(self, batch_id: str) -> str:
        return self.path("quality", "reports", f"{batch_id}.json")

    def spark_uri(self, path: str) -> str:
        """Spark wants absolute local paths when the driver's working dir differs from executors'."""
        return path if self.is_remote else os.path.abspath(path)


def write_partitioned(df, table: Table, lake: Lake) -> None:
    """Replace exactly the partitions present in `df`; every other partition stays as it was.

    The project's commit protocol (spark_jobs/commit.py), the same on both engines and on local
    folders and gs://: Spark writes into a staging folder outside the table, then each partition
    written is swapped in whole. A run that fails before the swap leaves the table as it was; one
    killed during the swap is finished by the next run or `vacuum`. An empty frame replaces nothing.
    """
    run_folder = commit.new_run_folder(lake.spark_uri(lake.root), table.lake_path)
    try:
        (
            df.select(*table.column_names)
            .write.mode("overwrite")
            .partitionBy(table.partition_column)
            .parquet(commit.staged_data(run_folder))
        )
    except BaseException:
        commit.remove_run_folder(run_folder)
        raise
    commit.commit(run_folder, lake.spark_uri(lake.table_path(table)))


def write_batch(df, table: Table, lake: Lake, batch_id: str) -> None:
    """Replace the folder a batch owns (`Lake.batch_folder`) with `df`, in one file, even when `df` is empty.

    Used for per-batch tables: the batch's folder is replaced even when the new run has no rows for it
    (an empty file then). A partition column lives in the folder name, not in the file. Staged and
    swapped by the same commit protocol as `write_partitioned`.
    """
    columns = [name for name in table.column_names if name != table.partition_column]
    folder = lake.spark_uri(lake.batch_folder(table, batch_id))
    parent, name = folder.rsplit("/", 1)
    run_folder = commit.new_run_folder(lake.spark_uri(lake.root), table.lake_path)
    try:
        # repartition, not coalesce: coalesce(1) would run the whole upstream pass (e.g. validating every
        # raw row to find the quarantined ones) in one task; this shuffles only the rows written
        df.select(*columns).repartition(1).write.mode("overwrite").parquet(
            f"{commit.staged_data(run_folder)}/{name}"
        )
    except BaseException:
        commit.remove_run_folder(run_folder)
        raise
    commit.commit(run_folder, parent, [name])


def batch_id_for(input_path: str) -> str:
    """A stable name for an input: `YYYY-MM` for raw-zone paths or names like 2019-Oct, else its stem.

    Reruns of the same input reuse the same batch id, so per-batch outputs are replaced, not added.
    """
    path = input_path.rstrip("/")
    hive = re.search(r"year=(\d{4})/month=(\d{1,2})", path)
    if hive:
        return f"{hive.group(1)}-{int(hive.group(2)):02d}"
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    named = re.search(r"(\d{4})-(" + "|".join(months) + r")", path)
    if named:
        return f"{named.group(1)}-{months.index(named.group(2)) + 1:02d}"
    numeric = re.search(r"(\d{4})-(\d{2})(?!\d)", os.path.basename(path))
    if numeric:
        return f"{numeric.group(1)}-{numeric.group(2)}"
    stem = os.path.basename(path)
    stem = re.sub(r"(\.csv)?(\.gz)?$", "", stem)
    return re.sub(r"[^A-Za-z0-9_-]+", "_", stem) or "batch"
