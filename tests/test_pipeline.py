"""The clean and marts jobs on files: accounting, idempotent reruns, month isolation, failure safety."""

from __future__ import annotations

import gzip
import json
import os

import pytest
from builders import GOOD, HEADER
from chispa import assert_df_equality
from pyspark.sql import functions as F

from spark_jobs import commit, contract
from spark_jobs.cli import main
from spark_jobs.errors import UserError
from spark_jobs.jobs import build_marts, clean_batch
from spark_jobs.lake import Lake, write_partitioned
from spark_jobs.quality import QualityError

FIELDS = list(GOOD)


def line(**overrides) -> str:
    values = {**GOOD, **overrides}
    return ",".join(values[name] for name in FIELDS)


def month_lines(month: str, days: int = 3, users: int = 4) -> list[str]:
    """A small valid month: each user views, carts and sometimes buys on each day."""
    lines = []
    for day_ in range(1, days + 1):
        for user in range(1, users + 1):
            session = f"{month}-{day_}-{user}"
            stamp = f"{month}-{day_:02d} {8 + user:02d}:00:0"
            common = {"user_id": str(user), "user_session": session}
            lines.append(line(event_time=f"{stamp}0 UTC", event_type="view", **common))
            lines.append(line(event_time=f"{stamp}1 UTC", event_type="cart", **common))
            if user % 2:
                lines.append(line(event_time=f"{stamp}2 UTC", event_type="purchase", **common))
    return lines


def write_csv(path, lines, gz=False) -> str:
    text = "\n".join([HEADER, *lines]) + "\n"
    if gz:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return str(path)


def events_in(spark, lake: Lake):
    return spark.read.parquet(lake.table_path(contract.EVENTS))


def visible_partitions(lake: Lake, table) -> list[str]:
    folder = lake.table_path(table)
    return (
        sorted(name for name in os.listdir(folder) if not name.startswith((".", "_")))
        if os.path.isdir(folder)
        else []
    )


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"))


def test_every_row_read_is_valid_duplicate_or_quarantined(spark, tmp_path, lake):
    good = month_lines("2019-10")
    bad = [line(price="-1"), line(user_session=""), "a,b,c", line(event_time="2019-02-30 10:00:00 UTC")]
    path = write_csv(tmp_path / "2019-Oct.csv", good + good[:3] + bad)
    report = clean_batch(spark, [path], lake, max_quarantine_share=0.5)
    assert (report.rows_read, report.rows_valid, report.duplicates_removed) == (len(good) + 7, len(good), 3)
    assert report.quarantined_by_reason == {
        "bad_price": 1,
        "missing_session": 1,
        "malformed_row": 1,
        "bad_event_time": 1,
    }
    assert report.batch_id == "2019-10"
    assert events_in(spark, lake).count() == len(good)


def test_the_report_is_written_as_json_and_as_data_quality_rows(spark, tmp_path, lake):
    path = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10") + [line(price="x")])
    clean_batch(spark, [path], lake, max_quarantine_share=0.5)
    report = json.loads(open(lake.dq_report_path("2019-10")).read())
    assert (report["rows_quarantined"], report["quarantined_by_reason"]) == (1, {"bad_price": 1})
    rows = spark.read.parquet(lake.table_read_path(contract.DATA_QUALITY)).select(
        "outcome", "reason", "row_count"
    )
    assert sorted(tuple(r) for r in rows.collect()) == [
        ("duplicate", "", 0),
        ("quarantined", "bad_price", 1),
        ("valid", "", 30),
    ]


def test_quarantine_keeps_each_bad_row_with_reason_and_source_file(spark, tmp_path, lake):
    path = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10") + [line(event_type="click")] * 2)
    clean_batch(spark, [path], lake, max_quarantine_share=0.5)
    rows = spark.read.parquet(lake.table_path(contract.QUARANTINE)).collect()
    assert [(r.reason, r.event_type, r.batch_id) for r in rows] == [
        ("bad_event_type", "click", "2019-10")
    ] * 2
    assert all(r.source_file.endswith("2019-Oct.csv") for r in rows)


def test_gzip_and_plain_inputs_give_the_same_clean_events(spark, tmp_path):
    lines = month_lines("2019-10")
    plain, gz = Lake(str(tmp_path / "a")), Lake(str(tmp_path / "b"))
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv", lines)], plain)
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv.gz", lines, gz=True)], gz)
    assert_df_equality(events_in(spark, plain), events_in(spark, gz), ignore_row_order=True)


def write_parquet_part(folder, lines, corrupt=()) -> str:
    """A raw part as the ingest step stores it: the 9 fields as strings + _corrupt_record, then
    source_file and row_id."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(folder, exist_ok=True)
    rows = [dict(zip(FIELDS, text.split(","), strict=True)) for text in lines]
    rows += [{contract.RAW_CORRUPT_COLUMN: text} for text in corrupt]
    names = [*contract.RAW_COLUMNS, contract.RAW_CORRUPT_COLUMN]
    columns = {name: pa.array([row.get(name) for row in rows], pa.string()) for name in names}
    columns[contract.RAW_SOURCE_COLUMN] = pa.array(
        ["https://example.test/2019-Oct.csv.gz"] * len(rows), pa.string()
    )
    columns[contract.RAW_ROW_ID_COLUMN] = pa.array(
        [contract.raw_row_id(0, n) for n in range(1, len(rows) + 1)], pa.int64()
    )
    pq.write_table(pa.table(columns), os.path.join(folder, "part-00000.parquet"))
    return str(folder)


def test_parquet_parts_and_csv_give_the_same_events_and_quarantine(spark, tmp_path):
    lines = month_lines("2019-10") + [line(price="x")]
    malformed = line() + ",extra"
    csv_lake, parquet_lake = Lake(str(tmp_path / "a")), Lake(str(tmp_path / "b"))
    folder = write_parquet_part(tmp_path / "raw" / "year=2019" / "month=10", lines, corrupt=[malformed])
    csv = write_csv(tmp_path / "2019-Oct.csv", [*lines, malformed])
    clean_batch(spark, [csv], csv_lake, "2019-10", max_quarantine_share=1.0)
    clean_batch(spark, [folder], parquet_lake, "2019-10", max_quarantine_share=1.0)
    assert_df_equality(events_in(spark, csv_lake), events_in(spark, parquet_lake), ignore_row_order=True)
    quarantine = [
        spark.read.parquet(lake.table_path(contract.QUARANTINE)).select("reason", "raw_line")
        for lake in (csv_lake, parquet_lake)
    ]
    assert_df_equality(*quarantine, ignore_row_order=True)
    assert sorted(row.reason for row in quarantine[1].collect()) == ["bad_price", "malformed_row"]


def test_a_batch_mixing_parquet_parts_and_csv_files_is_refused(spark, tmp_path, lake):
    folder = write_parquet_part(tmp_path / "raw", month_lines("2019-10"))
    csv = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10"))
    with pytest.raises(Exception, match="one batch must be all Parquet parts or all CSV files"):
        clean_batch(spark, [folder, csv], lake)


def test_too_many_quarantined_rows_fail_after_writing_quarantine_and_report_but_no_events(
    spark, tmp_path, lake
):
    path = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10") + [line(price="x")] * 3)
    with pytest.raises(
        QualityError, match=r"9\.09% of 33 rows quarantined \(limit 1\.00%\); top reasons: bad_price 3"
    ):
        clean_batch(spark, [path], lake, max_quarantine_share=0.01)
    assert spark.read.parquet(lake.table_path(contract.QUARANTINE)).count() == 3
    assert os.path.exists(lake.dq_report_path("2019-10"))
    assert visible_partitions(lake, contract.EVENTS) == []


def test_rerunning_the_same_month_gives_the_same_result(spark, tmp_path, lake):
    path = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10") + [line(price="x")])
    clean_batch(spark, [path], lake, max_quarantine_share=0.5)
    build_marts(spark, lake)
    first = {
        t.name: spark.read.parquet(lake.table_path(t)).collect() for t in (*contract.MARTS, contract.EVENTS)
    }
    clean_batch(spark, [path], lake, max_quarantine_share=0.5)
    build_marts(spark, lake)
    for table in (*contract.MARTS, contract.EVENTS, contract.QUARANTINE):
        again = spark.read.parquet(lake.table_path(table))
        if table.name in first:
            assert sorted(again.collect()) == sorted(first[table.name]), table.name
    assert spark.read.parquet(lake.table_path(contract.QUARANTINE)).count() == 1


def test_november_after_october_keeps_october(spark, tmp_path, lake):
    october = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10"))
    november = write_csv(tmp_path / "2019-Nov.csv", month_lines("2019-11", days=2))
    clean_batch(spark, [october], lake)
    build_marts(spark, lake, ["2019-10"])
    october_funnel = spark.read.parquet(lake.table_path(contract.FUNNEL_DAILY)).collect()
    clean_batch(spark, [november], lake)
    build_marts(spark, lake, ["2019-11"])
    events = events_in(spark, lake)
    assert events.where(F.col("event_date") < "2019-11-01").count() == len(month_lines("2019-10"))
    assert events.where(F.col("event_date") >= "2019-11-01").count() == len(month_lines("2019-11", days=2))
    funnel = spark.read.parquet(lake.table_path(contract.FUNNEL_DAILY))
    assert sorted(funnel.where(F.col("event_date") < "2019-11-01").collect()) == sorted(october_funnel)
    assert funnel.count() == 5


def test_marts_for_one_month_keep_a_session_crossing_into_the_next_month_whole(spark, tmp_path, lake):
    lines = [
        line(event_time="2019-10-31 23:50:00 UTC", user_session="night"),
        line(event_time="2019-11-01 00:10:00 UTC", user_session="night", event_type="cart"),
    ]
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv", lines)], lake)
    build_marts(spark, lake, ["2019-10"])
    build_marts(spark, lake, ["2019-11"])
    sessions = spark.read.parquet(lake.table_path(contract.SESSIONS)).collect()
    assert [(s.user_session, s.event_count, str(s.session_date)) for s in sessions] == [
        ("night", 2, "2019-10-31")
    ]


def test_a_failed_write_leaves_the_previous_partitions_and_nothing_half_written(spark, tmp_path, lake):
    path = write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10"))
    clean_batch(spark, [path], lake)
    before = sorted(events_in(spark, lake).collect())
    # A second write of Oct 1-3 plus a new day whose rows make the job fail half-way through.
    replacement = events_in(spark, lake).withColumn(
        "user_session",
        F.when(F.col("user_id") == 4, F.raise_error(F.lit("injected failure"))).otherwise(F.lit("changed")),
    )
    with pytest.raises(Exception, match="injected failure"):
        write_partitioned(replacement, contract.EVENTS, lake)
    assert sorted(events_in(spark, lake).collect()) == before
    assert visible_partitions(lake, contract.EVENTS) == [f"event_date=2019-10-0{d}" for d in (1, 2, 3)]


def test_a_failed_read_changes_nothing(spark, tmp_path, lake):
    lines = month_lines("2019-10") * 30 + [line(price="x")]
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv", lines)], lake)
    before = sorted(events_in(spark, lake).collect())
    quarantine_before = spark.read.parquet(lake.table_path(contract.QUARANTINE)).collect()
    broken = tmp_path / "broken" / "2019-Oct.csv.gz"
    broken.parent.mkdir()
    full = gzip.compress(("\n".join([HEADER, *month_lines("2019-10") * 50]) + "\n").encode())
    broken.write_bytes(full[: len(full) // 2])
    with pytest.raises(UserError, match=r"broken/2019-Oct.csv.gz: truncated or corrupt gzip data"):
        clean_batch(spark, [str(broken)], lake)
    assert sorted(events_in(spark, lake).collect()) == before
    assert spark.read.parquet(lake.table_path(contract.QUARANTINE)).collect() == quarantine_before
    assert [row.reason for row in quarantine_before] == ["bad_price"]


def test_a_missing_input_is_a_one_line_error_naming_the_path(tmp_path, spark, capsys):
    missing = str(tmp_path / "nope.csv")
    assert main(["clean", "--input", missing, "--lake", str(tmp_path / "lake")]) == 1
    assert f"ERROR spark_jobs: clean failed: no input file at {missing}\n" in capsys.readouterr().err


def test_marts_without_clean_events_is_a_clear_error(tmp_path, spark, capsys):
    assert main(["marts", "--lake", str(tmp_path / "empty")]) == 1
    assert "run the clean step first" in capsys.readouterr().err


def clean_error(path, tmp_path, capsys) -> str:
    """The one error line of `clean --input path`."""
    assert main(["clean", "--input", str(path), "--lake", str(tmp_path / "lake")]) == 1
    (error,) = [text for text in capsys.readouterr().err.splitlines() if "ERROR" in text]
    return error[error.index("ERROR") :]


def test_a_direct_csv_of_random_bytes_is_refused_naming_the_file_with_its_header_escaped(
    spark, tmp_path, capsys
):
    path = tmp_path / "2019-Oct.csv"
    path.write_bytes(bytes(b for b in range(256) if b != 10) * 40 + b"\n" + line().encode() + b"\n")
    error = clean_error(path, tmp_path, capsys)
    assert error.startswith(f"ERROR spark_jobs: clean failed: {path}: header is not the Kaggle header ")
    assert "got '\\x00\\x01\\x02" in error and error.endswith("...")
    assert error.isascii() and error.isprintable() and len(error) < 400
    assert not os.path.exists(tmp_path / "lake" / contract.QUARANTINE.lake_path)


def test_a_direct_csv_of_another_dataset_with_nine_columns_is_refused(spark, tmp_path, capsys):
    path = tmp_path / "2019-Oct.csv"
    path.write_text("a,b,c,d,e,f,g,h,i\n" + line() + "\n")
    error = clean_error(path, tmp_path, capsys)
    assert error == (
        f"ERROR spark_jobs: clean failed: {path}: header is not the Kaggle header "
        f"'{HEADER}'; got 'a,b,c,d,e,f,g,h,i'"
    )


def test_a_direct_csv_without_a_header_line_is_refused_as_such(spark, tmp_path, capsys):
    path = tmp_path / "2019-Oct.csv"
    path.write_text(line() + "\n")
    error = clean_error(path, tmp_path, capsys)
    assert f"{path}: has no header line (its first line is a data row: '{line()[:100]}'...)" in error


def test_a_header_only_csv_is_refused_in_one_line_naming_it(spark, tmp_path, capsys):
    path = write_csv(tmp_path / "2019-Oct.csv", [])
    assert clean_error(path, tmp_path, capsys) == (
        f"ERROR spark_jobs: clean failed: {path}: has the header but no data rows"
    )


def test_the_direct_csv_staging_folder_is_removed_after_the_batch(spark, tmp_path, lake):
    clean_batch(spark, [write_csv(tmp_path / "2019-Oct.csv", month_lines("2019-10"))], lake)
    # the lake's commit protocol keeps its own (emptied) table folders under _staging, no run folder
    assert commit.run_folders(os.path.abspath(lake.root)) == []
