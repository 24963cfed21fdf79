"""Batches without data rows finish or are refused in one line; Spark errors a user causes read as sentences."""

from __future__ import annotations

import os

import pytest
from test_pipeline import line, month_lines, write_csv, write_parquet_part

from spark_jobs import contract
from spark_jobs.clean import RAW_SCHEMA
from spark_jobs.cli import main, one_line
from spark_jobs.lake import Lake
from spark_jobs.lake_read import read_parquet


def run(tmp_path, capsys, path, *extra) -> tuple[int, str]:
    code = main(["run", "--input", str(path), "--lake", str(tmp_path / "lake"), *extra])
    return code, capsys.readouterr().err


def error_lines(err: str) -> list[str]:
    return [text[text.index("ERROR") :] for text in err.splitlines() if "ERROR" in text]


def test_a_batch_with_every_row_quarantined_finishes_on_a_fresh_lake_with_no_marts(spark, tmp_path, capsys):
    path = write_csv(tmp_path / "2019-Oct.csv", [line(price="-1"), line(user_session="")])
    code, err = run(tmp_path, capsys, path, "--max-quarantine-share", "1")
    assert (code, error_lines(err)) == (0, [])
    assert "rows read 2; clean events 0" in err
    assert "no clean events from batch 2019-10; the marts are unchanged" in err
    lake = Lake(str(tmp_path / "lake"))
    assert spark.read.parquet(lake.table_path(contract.QUARANTINE)).count() == 2
    assert not os.path.exists(lake.table_path(contract.FUNNEL_DAILY))


def test_an_empty_month_after_october_keeps_octobers_marts(spark, tmp_path, capsys):
    lake = Lake(str(tmp_path / "lake"))
    assert run(tmp_path, capsys, write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10")))[0] == 0
    before = {t.name: sorted(spark.read.parquet(lake.table_path(t)).collect()) for t in contract.MARTS}
    november = write_csv(tmp_path / "2019-Nov.csv", [line(event_time="2019-11-01 10:00:00 UTC", price="x")])
    code, err = run(tmp_path, capsys, november, "--month", "2019-11", "--max-quarantine-share", "1")
    assert (code, error_lines(err)) == (0, [])
    assert "rows read 1; clean events 0" in err
    after = {t.name: sorted(spark.read.parquet(lake.table_path(t)).collect()) for t in contract.MARTS}
    assert after == before


def test_a_header_only_file_is_refused_by_run_in_one_line_naming_it(spark, tmp_path, capsys):
    path = write_csv(tmp_path / "2019-Oct.csv", [])
    code, err = run(tmp_path, capsys, path)
    assert (code, error_lines(err)) == (
        1,
        [f"ERROR spark_jobs: run failed: {path}: has the header but no data rows"],
    )


def test_raw_parts_without_rows_are_refused_in_one_line_naming_them(spark, tmp_path, capsys):
    folder = write_parquet_part(tmp_path / "raw" / "year=2019" / "month=10", [])
    code, err = run(tmp_path, capsys, folder)
    assert (code, error_lines(err)) == (
        1,
        [f"ERROR spark_jobs: run failed: {folder}: no data rows (nothing to clean)"],
    )


def test_a_missing_parquet_path_reads_as_a_sentence_not_a_spark_exception(spark, tmp_path):
    # through the read layer: Sail reads a missing path as no rows instead of failing
    missing = tmp_path / "nowhere"
    with pytest.raises(Exception) as raised:
        read_parquet(spark, str(missing), RAW_SCHEMA).count()
    assert one_line(raised.value) == f"no such file or folder: {missing}"


def test_a_folder_without_parquet_files_reads_as_a_sentence_not_a_spark_exception(spark, tmp_path):
    (tmp_path / "table").mkdir()
    (tmp_path / "table" / "_SUCCESS").write_text("")
    with pytest.raises(Exception) as raised:
        read_parquet(spark, str(tmp_path / "table"), RAW_SCHEMA).count()
    assert one_line(raised.value).startswith(
        f"{tmp_path / 'table'}: a folder that should hold Parquet files holds none"
    )
    assert "Exception" not in one_line(raised.value)


def test_an_unknown_spark_error_never_shows_the_exception_name(spark):
    with pytest.raises(Exception) as raised:
        spark.sql("select no_such_column").collect()
    shown = one_line(raised.value)
    assert shown.startswith("Spark could not finish (") and "AnalysisException" not in shown
