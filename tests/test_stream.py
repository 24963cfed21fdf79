"""`stream` (real Structured Streaming on local Spark, available-now) + `compact` against `run`."""

from __future__ import annotations

import os
import random
import threading

import pytest
from stream_lake import (
    assert_same_tables,
    batch_lake,
    json_line,
    land_csv,
    land_json,
    line,
    outcomes,
    quarantined,
    table_rows,
    traffic_files,
)

from spark_jobs import contract
from spark_jobs.jobs import build_marts
from spark_jobs.lake import Lake
from spark_jobs.locks import LockHeld, lake_lock
from spark_jobs.streaming.compact import compact
from spark_jobs.streaming.job import CheckpointError, run_stream


@pytest.fixture
def spark(classic_spark):
    """Structured Streaming runs on classic Spark only (Sail 0.7.2 has no file sink or foreachBatch)."""
    return classic_spark


def test_stream_in_any_order_with_a_restart_then_compact_equals_run(spark, tmp_path):
    files = traffic_files()
    lake = Lake(str(tmp_path / "lake"))
    names = list(files)
    random.Random(3).shuffle(names)  # arrival order is not event-time order
    for name in names[:3]:
        land_csv(tmp_path / "lake" / "landing", name, files[name])
    first = run_stream(spark, lake, max_files_per_batch=2)
    for name in names[3:]:  # landed while the stream was down: each read once after the restart
        land_csv(tmp_path / "lake" / "landing" / "later", name, files[name])
    second = run_stream(spark, lake, max_files_per_batch=2)
    records = first + second
    assert [len(record["inputs"]) for record in records] == [2, 1, 2, 1]
    assert sorted(os.path.basename(path) for record in records for path in record["inputs"]) == sorted(files)
    compact(spark, lake, months=["2019-10"])
    assert_same_tables(spark, lake, batch_lake(spark, tmp_path, files))
    for record in records:
        assert record["rows_read"] == (
            record["rows_valid"] + record["duplicates_removed"] + record["rows_quarantined"]
        )
    assert sum(record["rows_read"] for record in records) == sum(len(lines) for lines in files.values())
    assert outcomes(spark, lake)[("duplicate", "")] == 9


def test_a_duplicate_landing_days_later_is_removed(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    landing = tmp_path / "lake" / "landing"
    land_csv(landing, "first.csv", [line(event_time="2019-10-01 10:00:00 UTC")])
    run_stream(spark, lake)
    land_csv(landing, "much-later.csv", [line(event_time="2019-10-09 10:00:00 UTC")])
    land_csv(landing, "again.csv", [line(event_time="2019-10-01 10:00:00 UTC")])
    records = run_stream(spark, lake, lateness="1 day")
    assert len(table_rows(spark, lake, contract.EVENTS)) == 2
    assert sum(record["duplicates_removed"] for record in records) == 1


def test_json_lines_are_cleaned_like_csv_lines_and_non_objects_are_quarantined(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    landing = tmp_path / "lake" / "landing"
    land_json(landing, "collector.json", [json_line(user_id="7"), "42", "[1, 2]", '"text"', "{not json"])
    land_csv(landing, "kaggle.csv", [line(user_id="8")])
    run_stream(spark, lake)
    events = table_rows(spark, lake, contract.EVENTS)
    assert sorted(row[contract.EVENTS.column_names.index("user_id")] for row in events) == [7, 8]
    assert [row[1:] for row in quarantined(spark, lake)] == [
        ("malformed_row", '"text"'),
        ("malformed_row", "42"),
        ("malformed_row", "[1, 2]"),
        ("malformed_row", "{not json"),
    ]


def test_bad_files_are_refused_with_their_reason_and_the_stream_goes_on(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    landing = tmp_path / "lake" / "landing"
    good = land_csv(landing, "b-good.csv", [line()])
    truncated = land_csv(landing, "a-truncated.csv.gz", [line(product_id=str(n)) for n in range(1, 2000)])
    with open(truncated, "r+b") as handle:
        handle.truncate(os.path.getsize(truncated) // 2)
    (landing / "c-empty.csv").write_bytes(b"")
    (landing / "d-other.csv").write_text("time,kind,item\n2019-10-01,view,1\n")
    records = run_stream(spark, lake)
    refused = {
        os.path.basename(path): reason for r in records for path, reason in r["rejected_files"].items()
    }
    assert refused == {"a-truncated.csv.gz": "unreadable_file", "d-other.csv": "bad_header"}
    assert outcomes(spark, lake) == {
        ("rejected_file", "bad_header"): 1,
        ("rejected_file", "unreadable_file"): 1,
        ("valid", ""): 1,
    }
    assert [os.path.basename(path) for r in records for path in r["inputs"] if "good" in path] == [
        os.path.basename(good)
    ]
    land_csv(landing, "e-next.csv", [line(user_id="9")])
    assert [record["rows_valid"] for record in run_stream(spark, lake)] == [1]


def test_a_lost_checkpoint_names_the_recovery(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    land_csv(tmp_path / "lake" / "landing", "one.csv", [line()])
    run_stream(spark, lake)
    import shutil

    shutil.rmtree(tmp_path / "lake" / "_checkpoints" / "stream")
    with pytest.raises(CheckpointError, match="missing.*stream --from-scratch"):
        run_stream(spark, lake)
    records = run_stream(spark, lake, from_scratch=True)
    assert [record["rows_valid"] for record in records] == [0]
    assert outcomes(spark, lake) == {("duplicate", ""): 1}


def test_a_corrupt_checkpoint_names_the_recovery(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    land_csv(tmp_path / "lake" / "landing", "one.csv", [line()])
    run_stream(spark, lake)
    offsets = tmp_path / "lake" / "_checkpoints" / "stream" / "offsets"
    for entry in offsets.iterdir():
        if not entry.name.startswith("."):
            entry.write_text("garbage")
    land_csv(tmp_path / "lake" / "landing", "two.csv", [line(user_id="2")])
    with pytest.raises(CheckpointError, match="stream --from-scratch"):
        run_stream(spark, lake)


def test_a_second_stream_on_the_same_lake_refuses_to_start(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    held, release = threading.Event(), threading.Event()

    def other_stream():  # the lock is re-entrant within a thread, so another thread holds it
        with lake_lock(lake, "stream"):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=other_stream)
    holder.start()
    held.wait(60)
    try:
        with pytest.raises(LockHeld, match="stream is locked by another run"):
            run_stream(spark, lake)
    finally:
        release.set()
        holder.join()


def test_marts_for_days_replace_only_those_days(spark, tmp_path):
    files = {
        "f.csv": [line(event_time="2019-10-01 10:00:00 UTC"), line(event_time="2019-10-02 10:00:00 UTC")]
    }
    lake = batch_lake(spark, tmp_path, files)
    daily = lake.spark_uri(lake.table_path(contract.FUNNEL_DAILY))
    before = {
        p: sorted(os.listdir(os.path.join(daily, p))) for p in os.listdir(daily) if p.startswith("event_date")
    }
    build_marts(spark, lake, days=["2019-10-02"])
    after = {
        p: sorted(os.listdir(os.path.join(daily, p))) for p in os.listdir(daily) if p.startswith("event_date")
    }
    assert after["event_date=2019-10-01"] == before["event_date=2019-10-01"]
    assert after["event_date=2019-10-02"] != before["event_date=2019-10-02"]
