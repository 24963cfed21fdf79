"""`python -m spark_jobs ingest`: arguments, one-line errors, the Kaggle credential check, progress."""

from __future__ import annotations

import gzip
import json
import logging
import os

import pytest
from servers.month_data import gzipped, kaggle_csv

from spark_jobs.cli import main
from spark_jobs.ingest.progress import Progress
from spark_jobs.ingest.sources import resolve_source


def test_ingest_prints_a_json_summary_and_exits_0(tmp_path, capsys):
    source = tmp_path / "2019-Oct.csv.gz"
    source.write_bytes(gzipped(kaggle_csv(rows=50)))
    dest = tmp_path / "raw"

    code = main(
        ["ingest", "--month", "2019-10", "--source", str(source), "--dest", str(dest), "--part-size-mb", "1"]
    )

    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "status": "ingested",
        "month_uri": str(dest / "year=2019/month=10"),
        "rows": 50,
        "parts": 1,
    }
    assert sorted(os.listdir(dest / "year=2019/month=10")) == ["_manifest.json", "part-00000.parquet"]


def test_part_format_csv_stores_header_carrying_csv_parts(tmp_path, capsys):
    source = tmp_path / "2019-Oct.csv"
    source.write_bytes(kaggle_csv(rows=50))
    dest = tmp_path / "raw"

    code = main(["ingest", "--month", "2019-10", "--source", str(source), "--dest", str(dest),
                 "--part-format", "csv"])  # fmt: skip

    assert code == 0
    folder = dest / "year=2019/month=10"
    assert sorted(os.listdir(folder)) == ["_manifest.json", "part-00000.csv.gz"]
    assert gzip.decompress((folder / "part-00000.csv.gz").read_bytes()) == kaggle_csv(rows=50)
    assert json.loads(capsys.readouterr().out)["rows"] == 50


def test_an_unknown_part_format_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(
            [
                "ingest",
                "--month",
                "2019-10",
                "--source",
                "x.csv",
                "--dest",
                str(tmp_path),
                "--part-format",
                "orc",
            ]
        )
    assert "invalid choice: 'orc'" in capsys.readouterr().err


def test_an_unknown_rees46_month_exits_1_naming_the_valid_months(tmp_path, capsys):
    code = main(["ingest", "--month", "2021-01", "--dest", str(tmp_path)])

    assert code == 1
    assert (
        "--month 2021-01: rees46 has no such month; valid months: "
        "2019-10, 2019-11, 2019-12, 2020-01, 2020-02, 2020-03, 2020-04"
    ) in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_a_malformed_month_is_rejected(tmp_path, capsys):
    assert main(["ingest", "--month", "2019-13", "--source", "x.csv", "--dest", str(tmp_path)]) == 1
    assert "--month '2019-13': expected YYYY-MM" in capsys.readouterr().err


def test_kaggle_without_credentials_exits_1_saying_what_to_set(tmp_path, capsys, monkeypatch):
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "no-kaggle-dir"))

    code = main(["ingest", "--month", "2019-10", "--source", "kaggle", "--dest", str(tmp_path / "raw")])

    assert code == 1
    assert (
        "no Kaggle credentials; set KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle.json"
        in capsys.readouterr().err
    )


def test_kaggle_carries_october_and_november_only():
    assert resolve_source("kaggle", "2019-11", None).uri == (
        "kaggle://mkechinov/ecommerce-behavior-data-from-multi-category-store/2019-Nov.csv"
    )
    with pytest.raises(Exception, match="valid months: 2019-10, 2019-11"):
        resolve_source("kaggle", "2019-12", None)


def test_other_url_schemes_are_refused():
    with pytest.raises(Exception, match="only rees46, kaggle, http"):
        resolve_source("ftp://example.org/2019-Oct.csv.gz", "2019-10", None)


def test_without_a_terminal_progress_is_logged_as_lines(caplog):
    progress = Progress("ingest 2019-10", interval_s=0.0, use_bar=False)
    progress.set_total(4_000_000)

    with caplog.at_level(logging.INFO, logger="spark_jobs.ingest"):
        progress.update(1_000_000)

    assert "ingest 2019-10: 1.0 MB of 4.0 MB (25%)" in caplog.text
    assert "MB/s, ETA" in caplog.text


def test_on_a_terminal_progress_is_a_bar_with_bytes_rate_and_eta(capsys):
    progress = Progress("ingest 2019-10", use_bar=True)
    progress.set_total(4 * 1024 * 1024)

    progress.update(1024 * 1024)
    progress.close()

    bar = capsys.readouterr().err
    assert "ingest 2019-10" in bar
    assert "1.00M/4.00M" in bar
    assert "B/s" in bar
