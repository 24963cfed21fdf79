"""Ingest from a local file into a local raw zone: layout, Parquet part format, manifest, skip, --force,
concurrency, failures."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from servers.concurrency import run_in_threads
from servers.month_data import HEADER, data_lines, gzipped, kaggle_csv, month_lines, part_rows, part_table

from spark_jobs.contract import RAW_COLUMNS
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


def ingest_lines(tmp_path, lines: list[bytes], **options) -> list[tuple]:
    """Ingest the Kaggle header plus `lines` from a plain file; the stored rows of the month."""
    source = tmp_path / "2019-Oct.csv"
    source.write_bytes(HEADER.encode() + b"\n" + b"".join(line + b"\n" for line in lines))
    ingest(str(source), tmp_path / "raw", **options)
    return [row for part in stored_parts(tmp_path / "raw") for row in part_rows(part)]


GOOD = b"2019-10-01 00:00:00 UTC,view,1000001,2053013555631882655,electronics.smartphone,apple,9.99,500000001,s-1"


@pytest.mark.parametrize(
    ("options", "suffix"),
    [({}, ".parquet"), ({"part_format": "csv"}, ".csv.gz")],
    ids=["default-parquet", "csv"],
)
def test_the_month_lands_in_hive_folders_as_parts_plus_a_manifest(source, tmp_path, options, suffix):
    dest = tmp_path / "raw"

    ingest(source, dest, **options)

    names = sorted(os.listdir(month_dir(dest)))
    assert names[0] == "_manifest.json"
    assert names[1:] == [f"part-{index:05d}{suffix}" for index in range(len(names) - 1)]
    assert len(names) - 1 >= 3
    assert month_lines(stored_parts(dest)) == data_lines(CSV)
    if suffix == ".csv.gz":
        assert all(gzip.decompress(part).startswith(HEADER.encode() + b"\n") for part in stored_parts(dest))
    assert read_manifest(dest)["format"] == options.get("part_format", "parquet")
    assert sorted(os.listdir(dest / "year=2019")) == ["month=10"]  # no staging folder left behind


def test_parquet_parts_hold_the_nine_raw_columns_and_the_corrupt_record_as_strings(tmp_path):
    rows = ingest_lines(tmp_path, [GOOD, b"a,,c,d,e,f,g,h,i"])

    (part,) = stored_parts(tmp_path / "raw")
    schema = part_table(part).schema
    assert schema.names[:10] == [*RAW_COLUMNS, "_corrupt_record"]
    assert all(field.type == pa.string() and field.nullable for field in list(schema)[:10])
    assert pq.ParquetFile(pa.BufferReader(part)).metadata.row_group(0).column(0).compression == "ZSTD"
    assert rows == [(*GOOD.split(b","), None), (b"a", b"", b"c", b"d", b"e", b"f", b"g", b"h", b"i", None)]


def test_every_row_carries_its_source_file_and_a_row_id_of_part_and_position(tmp_path):
    lines = [GOOD.replace(b"s-1", f"s-{n}".encode()) for n in range(400)]
    source = tmp_path / "2019-Oct.csv"
    source.write_bytes(HEADER.encode() + b"\n" + b"".join(line + b"\n" for line in [*lines, b"cut,line"]))
    ingest(str(source), tmp_path / "raw", part_size_mb=0.02)

    tables = [part_table(part) for part in stored_parts(tmp_path / "raw")]
    assert len(tables) >= 3
    assert {value for table in tables for value in table["source_file"].to_pylist()} == {str(source)}
    assert [table.schema.field("row_id").type for table in tables] == [pa.int64()] * len(tables)
    for number, table in enumerate(tables):
        assert table["row_id"].to_pylist() == [(number << 32) + n for n in range(1, table.num_rows + 1)]
    last = tables[-1].to_pylist()[-1]
    assert (last["_corrupt_record"], last["row_id"]) == (
        "cut,line",
        ((len(tables) - 1) << 32) + tables[-1].num_rows,
    )


def test_field_text_is_kept_as_parsed_quotes_removed_and_spaces_kept(tmp_path):
    rows = ingest_lines(tmp_path, [b' 2019-10-01 ,"view, cart",1,2,"a ""b""",brand ,9.99,7,s'])

    assert rows == [
        (b" 2019-10-01 ", b"view, cart", b"1", b"2", b'a "b"', b"brand ", b"9.99", b"7", b"s", None)
    ]


@pytest.mark.parametrize("fields", [8, 10])
def test_a_line_without_nine_fields_is_kept_as_a_corrupt_record(tmp_path, fields):
    bad = b",".join(b"f%d" % index for index in range(fields))

    rows = ingest_lines(tmp_path, [GOOD, bad, GOOD])

    assert sorted(rows, key=lambda row: row[-1] or b"") == [
        (*GOOD.split(b","), None),
        (*GOOD.split(b","), None),
        (*(None,) * 9, bad),
    ]
    manifest = read_manifest(tmp_path / "raw")
    assert manifest["rows"] == 3 == manifest["parts"][0]["rows"]


def test_blank_lines_are_not_rows_and_nothing_else_is_lost(tmp_path):
    lines = [GOOD, b"", b"only one field", GOOD, b"", b"a,b,c,d,e,f,g,h,i,j,k"]

    rows = ingest_lines(tmp_path, lines, part_size_mb=100 / (1024 * 1024))  # a part every ~100 bytes

    assert len(rows) == 4 == read_manifest(tmp_path / "raw")["rows"]
    assert sorted(row[-1] for row in rows if row[-1] is not None) == [
        b"a,b,c,d,e,f,g,h,i,j,k",
        b"only one field",
    ]


def test_bytes_that_are_not_utf8_do_not_fail_the_ingest_and_are_kept(tmp_path):
    latin1_brand = GOOD.replace(b"apple", b"caf\xe9")
    corrupt = b"\xff\xfe,broken"

    rows = ingest_lines(tmp_path, [GOOD, latin1_brand, corrupt])

    assert sorted(rows, key=lambda row: (row[-1] or b"", row[5])) == [
        (*GOOD.split(b","), None),
        (*latin1_brand.split(b","), None),
        (*(None,) * 9, corrupt),
    ]
    assert read_manifest(tmp_path / "raw")["rows"] == 3


def test_a_line_longer_than_a_read_block_is_kept(tmp_path, monkeypatch):
    from spark_jobs.ingest import parquet_part

    monkeypatch.setattr(parquet_part, "BLOCK_SIZE", 1024)
    long_brand = GOOD.replace(b"apple", b"x" * 5000)

    rows = ingest_lines(tmp_path, [GOOD, long_brand, GOOD])

    assert rows == [(*line.split(b","), None) for line in (GOOD, long_brand, GOOD)]


def test_the_manifest_records_source_rows_and_per_part_checksums(source, tmp_path):
    dest = tmp_path / "raw"

    ingest(source, dest)

    manifest = read_manifest(dest)
    assert manifest["month"] == "2019-10"
    assert manifest["source"] == {"uri": source, "bytes": os.path.getsize(source), "gzip": True}
    assert manifest["header"] == KAGGLE_HEADER
    assert manifest["rows"] == 3000
    assert manifest["format"] == "parquet"
    assert manifest["compression"] == "zstd"
    assert manifest["tool"]["name"] == "spark-jobs"
    assert manifest["ingested_at"].endswith("Z")
    for entry, part in zip(manifest["parts"], stored_parts(dest), strict=True):
        assert entry["bytes"] == len(part)
        assert entry["sha256"] == hashlib.sha256(part).hexdigest()
        assert entry["rows"] == part_table(part).num_rows
        assert set(entry) == {"name", "rows", "csv_bytes", "bytes", "sha256", "md5", "crc32c"}
    header_bytes = len(HEADER) + 1  # every part's CSV carries the header
    assert sum(entry["csv_bytes"] for entry in manifest["parts"]) == (
        len(CSV) + (len(manifest["parts"]) - 1) * header_bytes
    )


def test_the_manifest_of_csv_parts_records_their_compression_and_lines(source, tmp_path):
    dest = tmp_path / "raw"

    ingest(source, dest, part_format="csv")

    manifest = read_manifest(dest)
    assert (manifest["format"], manifest["compression"], manifest["rows"]) == ("csv", "gzip", 3000)
    for entry, part in zip(manifest["parts"], stored_parts(dest), strict=True):
        assert entry["bytes"] == len(part)
        assert entry["rows"] == len(gzip.decompress(part).splitlines()) - 1
        assert entry["csv_bytes"] == len(gzip.decompress(part))


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
    with open(os.path.join(month_dir(dest), "part-00001.parquet"), "ab") as part:
        part.write(b"garbage")

    summary = ingest(source, dest)

    assert summary["status"] == "ingested"
    assert month_lines(stored_parts(dest)) == data_lines(CSV)


def test_a_rerun_ingests_again_when_an_unlisted_part_appeared(source, tmp_path):
    dest = tmp_path / "raw"
    ingest(source, dest)
    stray = os.path.join(month_dir(dest), "part-00099.parquet")
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


def test_csv_parts_can_be_stored_uncompressed(source, tmp_path):
    dest = tmp_path / "raw"

    ingest(source, dest, part_format="csv", compress=False)

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


def test_hidden_folders_a_killed_run_left_a_day_ago_are_removed_and_recent_ones_kept(source, tmp_path):
    year = tmp_path / "raw" / "year=2019"
    dead_staging, dead_aside, live = (
        year / name for name in (".month=09.tmp-a1", ".month=10.old-b2", ".month=10.tmp-c3")
    )
    for folder in (dead_staging, dead_aside, live):
        folder.mkdir(parents=True)
        (folder / "part-00000.parquet").write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 24 * 3600
    for folder in (dead_staging, dead_aside):
        os.utime(folder, (two_days_ago, two_days_ago))

    ingest(source, tmp_path / "raw")

    assert sorted(name for name in os.listdir(year) if name.startswith(".")) == [".month=10.tmp-c3"]
    assert os.listdir(month_dir(tmp_path / "raw"))


def test_a_refused_header_is_shown_escaped_and_cut_short(tmp_path):
    source = tmp_path / "2019-Oct.csv"
    source.write_bytes(b"\x1b[31m\xff\xfe" + "é".encode() * 300 + b"\n" + GOOD + b"\n")
    with pytest.raises(UserError) as refused:
        ingest(str(source), tmp_path / "raw")
    message = str(refused.value)
    assert message.startswith(f"{source}: header is not the Kaggle header ")
    assert message.endswith("got '\\x1b[31m\\xff\\xfe" + "\\xe9" * 21 + "'...")
    assert message.isascii() and message.isprintable()
