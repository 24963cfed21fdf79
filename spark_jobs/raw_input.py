"""A CSV given directly to `clean` / `run`, converted into raw Parquet parts the way ingest stores them.

There is one raw reader: `jobs.read_raw` reads raw Parquet parts (the 9 raw strings,
`_corrupt_record`, `source_file`, `row_id`). A Kaggle CSV (plain, gzip or a zip of one CSV; a file or
a folder of them, e.g. CSV parts of the ingest step) goes through the ingest step's own conversion
(`ingest.split.split_csv`: the header checked, fields read by pyarrow as RFC 4180, lines without 9
fields kept as `_corrupt_record`) into a staging folder of the lake that readers skip
(`<lake>/_staging/`, a name starting with `_`), and is removed after the batch. So the same file gives
the same rows on both paths, and neither needs Spark's CSV reader, file metadata or generated ids
(which the Sail engine lacks).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

from spark_jobs import commit
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake

STAGING_INPUTS = "csv-inputs"  # <lake>/_staging/csv-inputs/<batch>/<run>/data/<file number>/


class DirectCsvError(UserError):
    """A CSV given directly cannot be converted here (remote file or lake)."""


@dataclass(frozen=True)
class StagedParts:
    folder: str  # removed by `remove()`
    inputs: list[str]  # one folder of Parquet parts per CSV file, in the order of the inputs

    def remove(self) -> None:
        commit.remove_run_folder(self.folder)


def stage_csv_inputs(inputs: list[str], lake: Lake, batch_id: str) -> StagedParts:
    """Convert every CSV file under `inputs` into Parquet parts in a fresh staging folder of the lake.

    Raises `SourceFormatError` naming the file when one is not a Kaggle CSV (wrong or missing header,
    no data rows, truncated gzip); nothing is left behind then.
    """
    # local_source and split only (not ingest.job, which imports requests: the Dataproc runtime has none)
    from spark_jobs.ingest.local_source import open_path
    from spark_jobs.ingest.split import DEFAULT_PART_SIZE_MB, split_csv

    remote = [path for path in inputs if "://" in path and not path.startswith("file://")]
    if remote or lake.is_remote:
        shown = remote[0] if remote else lake.root
        raise DirectCsvError(
            f"{shown}: a CSV is read directly only from a local file into a local lake; "
            "ingest it first (python -m spark_jobs ingest --source FILE_OR_URL --dest LAKE/raw) "
            "and clean the ingested month"
        )
    files = [file for path in inputs for file in csv_files(path.removeprefix("file://"))]
    # a run folder of the commit protocol (its owner recorded), so `vacuum` removes it after a kill
    folder = commit.new_run_folder(os.path.abspath(lake.root), f"{STAGING_INPUTS}/{batch_id}")
    data = commit.staged_data(folder)
    staged = StagedParts(folder, [os.path.join(data, f"{number:05d}") for number in range(len(files))])
    try:
        for path, out_dir in zip(files, staged.inputs, strict=True):
            os.makedirs(out_dir)
            source_file = os.path.abspath(path)
            with open_path(path) as stream:
                split_csv(
                    stream,
                    out_dir,
                    part_size_bytes=int(DEFAULT_PART_SIZE_MB * 1024 * 1024),
                    source_name=source_file,
                )
    except BaseException:
        staged.remove()
        raise
    return staged


def csv_files(path: str) -> list[str]:
    """The files of a path, folder or glob, in name order (names starting with `_` or `.` skipped)."""
    if glob.has_magic(path):
        return [file for match in sorted(glob.glob(path)) for file in csv_files(match)]
    if not os.path.isdir(path):
        return [path]
    found = []
    for folder, subfolders, names in os.walk(path):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(("_", ".")))
        found += [os.path.join(folder, name) for name in sorted(names) if not name.startswith(("_", "."))]
    return found
