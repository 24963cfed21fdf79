"""CSV inputs given directly: which files are converted, where to, and what is refused."""

from __future__ import annotations

import os

import pyarrow.parquet as pq
import pytest
from builders import HEADER
from test_pipeline import line

from spark_jobs.lake import Lake
from spark_jobs.raw_input import DirectCsvError, csv_files, stage_csv_inputs


def write(path, lines) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return str(path)


def test_a_glob_or_folder_expands_to_its_visible_files_in_name_order(tmp_path):
    for name in ("b.csv", "a.csv", "_SUCCESS", ".a.csv.tmp"):
        write(tmp_path / "in" / name, [line()])
    expected = [str(tmp_path / "in" / "a.csv"), str(tmp_path / "in" / "b.csv")]
    assert csv_files(str(tmp_path / "in")) == expected
    assert csv_files(str(tmp_path / "in" / "*.csv")) == expected


def test_each_file_becomes_a_folder_of_raw_parts_in_the_lakes_hidden_staging_folder(tmp_path):
    files = [write(tmp_path / "a.csv", [line()] * 2), write(tmp_path / "b.csv", [line()])]
    lake = Lake(str(tmp_path / "lake"))
    staged = stage_csv_inputs(files, lake, "2019-10")
    assert os.path.dirname(staged.folder) == lake.path("_staging")
    tables = [pq.read_table(folder) for folder in staged.inputs]
    assert [table.column("source_file").to_pylist() for table in tables] == [[files[0]] * 2, [files[1]]]
    assert [table.column("row_id").to_pylist() for table in tables] == [[1, 2], [1]]
    staged.remove()
    assert not os.path.exists(staged.folder)


def test_a_file_that_fails_leaves_no_staging_folder(tmp_path):
    good, bad = write(tmp_path / "a.csv", [line()]), write(tmp_path / "b.csv", [])
    lake = Lake(str(tmp_path / "lake"))
    with pytest.raises(Exception, match="b.csv: has the header but no data rows"):
        stage_csv_inputs([good, bad], lake, "2019-10")
    assert os.listdir(lake.path("_staging")) == []


@pytest.mark.parametrize(
    ("inputs", "lake"), [(["gs://bucket/2019-Oct.csv"], "lake"), (["2019-Oct.csv"], "gs://bucket/lake")]
)
def test_a_remote_csv_or_lake_is_refused_saying_to_ingest_first(tmp_path, inputs, lake):
    with pytest.raises(DirectCsvError, match="ingest it first"):
        stage_csv_inputs(inputs, Lake(str(tmp_path / lake) if "://" not in lake else lake), "b")
