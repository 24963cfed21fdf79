"""Ingest from a local file into a local raw zone: layout, manifest, skip, --force, concurrency, failures."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zipfile

import pytest
from servers.concurrency import run_in_threads
from servers.month_data import HEADER, data_lines, gzipped, kaggle_csv, month_lines

from spark_jobs.errors import UserError
from spark_jobs.ingest.job import ingest_month
from spark_jobs.ingest.sources import KAGGLE_HEADER

CSV = kaggle_csv(rows=3000)


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "2019-Oct.csv.gz"
    path.write_bytes(gzipped(CSV))
    return str(path)


def ingest(source: str, dest, **options) -> dict:
    options.setdefault("part_size_mb", 0.05)
    return ingest_month(month="2019-10", source=source, dest=str(dest), progress_bar=False, **options)


def month_dir(dest) -> str:
    return os.path.join(dest, "year=2019", "month=10")


def read_manifest(dest) -> dict:
    with open(os.path.join(month_dir(dest), "_manifest.json")) as file:
        return json.load(file)


def stored_parts(dest) -> list[bytes]:
    names = sorted(name for name in os.listdir(month_dir(dest)) if name.startswith("part-"))
    return [open(os.path.join(month_dir(dest), name), "rb").read() for name in names]


def test_the_month_lands_in_hive_folders_as_gzip_parts_plus_a_manifest(source, tmp_path):
    dest = tmp_path / "raw"

    ingest(source, dest)

    names = sorted(os.listdir(month_dir(dest)))
    assert names[0] == "_manifest.json"
    assert names[1:] == [f"part-{index:05d}.csv.gz" for index in range(len(names) - 1)]
    assert len(names) - 1 >= 3
    assert month_lines(stored_parts(dest)) == data_lines(CSV)
    assert sorted(os.listdir(dest / "year=2019")) == ["month=10"]  # no staging folder left behind


def test_the_manifest_records_source_rows_and_per_part_checksums(source, tmp_path):
    dest = tmp_path / "raw"

    ingest(source, dest)

    manifest = read_manifest(dest)
    assert manifest["month"] == "2019-10"
    assert manifest["source"] == {"uri": source, "bytes": os.path.getsize(source), "gzip": True}
    assert manifest["header"] == KAGGLE_HEADER
    assert manifest["rows"] == 3000
    assert manifest["compression"] == "gzip"
    assert manifest["tool"]["name"] == "spark-jobs"
    assert manifest["ingested_at"].endswith("Z")
    for entry, part in zip(manifest["parts"], stored_parts(dest), strict=True):
        assert entry["bytes"] == len(part)
        assert entry["sha256"] == hashlib.sha256(part).hexdigest()
        assert entry["rows"] == len(gzip.decompress(part).splitlines()) - 1
        assert entry["csv_bytes"] == len(gzip.decompress(part))
        assert set(entry) == {"name", "rows", "csv_bytes", "bytes", "sha256", "md5", "crc32c"}


def test_parts_are_bounded_by_the_part_size_and_cut_at_line_ends(source, tmp_path):
    dest = tmp_path / "raw"
    limit = int(0.05 * 1024 * 1024)
    longest_line = max(len(line) for line in CSV.splitlines()) + 1

    ingest(source, dest)

    sizes = [entry["csv_bytes"] for entry in read_manifest(dest)["parts"]]
    assert all(size < limit + longest_line for size in sizes)
    assert all(size >= limit for size in sizes[:-1])


def test_a_rerun_skips_a_month_whose_checksums_match(source, tmp_path):
    dest = tmp_path / "raw"
    ingest(source, dest)
    before = {
        name: os.stat(os.path.join(month_dir(dest), name)).st_ino for name in os.listdir(month_dir(dest))
    }

    summary = ingest(source, dest)

    assert summary["status"] == "skipped"
    assert summary["rows"] == 3000
    after = {
        name: os.stat(os.path.join(month_dir(dest), name)).st_ino for name in os.listdir(month_dir(dest))
    }
    assert after == before


def test_a_rerun_ingests_again_when_a_part_no_longer_matches_its_checksum(source, tmp_path):
    dest = tmp_path / "raw"
    ingest(source, dest)
    with open(os.path.join(month_dir(dest), "part-00001.csv.gz"), "ab") as part:
        part.write(b"garbage")

    summary = ingest(source, dest)

    assert summary["status"] == "ingested"
    assert month_lines(stored_parts(dest)) == data_lines(CSV)


def test_a_rerun_ingests_again_when_an_unlisted_part_appeared(source, tmp_path):
    dest = tmp_path / "raw"
    ingest(source, dest)
    stray = os.path.join(month_dir(dest), "part-00099.csv.gz")
    with open(stray, "wb") as part:
        part.write(gzipped(CSV))

    assert ingest(source, dest)["status"] == "ingested"
    assert not os.path.exists(stray)


def test_force_replaces_the_month_with_a_fresh_ingest(source, tmp_path):
    dest = tmp_path / "raw"
    ingest(source, dest)
    other = tmp_path / "other.csv"
    other.write_bytes(kaggle_csv(rows=10, seed=99))

    summary = ingest(str(other), dest, force=True)

    assert summary["status"] == "ingested"
    assert month_lines(stored_parts(dest)) == data_lines(kaggle_csv(rows=10, seed=99))
    assert read_manifest(dest)["rows"] == 10
    assert sorted(os.listdir(dest / "year=2019")) == ["month=10"]


def test_two_concurrent_runs_leave_one_complete_month(source, tmp_path):
    dest = tmp_path / "raw"
    results, errors = run_in_threads(lambda: ingest(source, dest))

    assert errors == []
    assert {result["rows"] for result in results} == {3000}
    assert month_lines(stored_parts(dest)) == data_lines(CSV)
    assert len(stored_parts(dest)) == len(read_manifest(dest)["parts"])
    assert sorted(os.listdir(dest / "year=2019")) == ["month=10"]


def test_a_failed_run_publishes_nothing(tmp_path):
    broken = tmp_path / "2019-Oct.csv.gz"
    broken.write_bytes(gzipped(CSV)[:5000])
    dest = tmp_path / "raw"

    with pytest.raises(UserError, match="truncated or corrupt gzip data"):
        ingest(str(broken), dest)

    assert os.listdir(dest / "year=2019") == []


def test_a_failed_forced_run_keeps_the_month_that_was_there(source, tmp_path):
    dest = tmp_path / "raw"
    ingest(source, dest)
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(gzipped(CSV)[:5000])

    with pytest.raises(UserError):
        ingest(str(broken), dest, force=True)

    assert month_lines(stored_parts(dest)) == data_lines(CSV)
    assert sorted(os.listdir(dest / "year=2019")) == ["month=10"]


def test_parts_can_be_stored_uncompressed(source, tmp_path):
    dest = tmp_path / "raw"

    ingest(source, dest, compress=False)

    assert all(name.endswith(".csv") for name in os.listdir(month_dir(dest)) if name.startswith("part-"))
    assert read_manifest(dest)["compression"] == "none"
    assert month_lines(stored_parts(dest)) == data_lines(CSV)


def test_a_zip_holding_one_csv_is_read_as_kaggle_serves_it(tmp_path):
    archive = tmp_path / "2019-Oct.csv.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("2019-Oct.csv", CSV)

    ingest(str(archive), tmp_path / "raw")

    assert month_lines(stored_parts(tmp_path / "raw")) == data_lines(CSV)


def test_a_last_line_without_newline_is_kept_and_counted(tmp_path):
    source = tmp_path / "2019-Oct.csv"
    source.write_bytes(CSV.rstrip(b"\n"))

    ingest(str(source), tmp_path / "raw")

    assert read_manifest(tmp_path / "raw")["rows"] == 3000
    assert month_lines(stored_parts(tmp_path / "raw")) == data_lines(CSV)


def test_a_header_only_file_is_rejected(tmp_path):
    source = tmp_path / "2019-Oct.csv"
    source.write_text(HEADER + "\n")

    with pytest.raises(UserError, match=r"2019-Oct.csv: has the header but no data rows"):
        ingest(str(source), tmp_path / "raw")


def test_a_missing_source_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match=r"--source .*nope.csv.gz: no such file"):
        ingest(str(tmp_path / "nope.csv.gz"), tmp_path / "raw")
