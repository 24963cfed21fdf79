"""The lake's own file layer and commit protocol, on local folders and on gs:// (fake-gcs-server).

The swap is driven here without Spark (the staged folders are written with pyarrow, as Spark would
leave them), so a real child process can be SIGKILLed in the middle of it; the Spark side of
`write_partitioned` is covered by tests/test_pipeline.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from servers.gcs import new_bucket

from spark_jobs import commit, lake_io

CHILD = str(Path(__file__).parent / "lake_child.py")
ROOT = str(Path(__file__).parent.parent)


@pytest.fixture(params=["local", "gcs"])
def lake_root(request, tmp_path):
    if request.param == "local":
        return str(tmp_path / "lake")
    request.getfixturevalue("fake_gcs")
    return f"gs://{new_bucket('lake')}/lake"


def write_part(folder: str, name: str, value: str) -> None:
    fs, path = lake_io.filesystem(f"{folder}/{name}")
    if not folder.startswith("gs://"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with fs.open_output_stream(path) as stream:
        pq.write_table(pa.table({"value": [value]}), stream)


def read_partition(table: str, name: str) -> list[str]:
    values = []
    for relative in lake_io.data_files(f"{table}/{name}"):
        fs, path = lake_io.filesystem(f"{table}/{name}/{relative}")
        with fs.open_input_file(path) as handle:
            values += pq.read_table(handle).column("value").to_pylist()
    return sorted(values)


def staged_run(root: str, days: list[str], value: str, files_per_day: int = 2) -> str:
    run = commit.new_run_folder(root, "clean/events")
    for day in days:
        for index in range(files_per_day):
            write_part(f"{commit.staged_data(run)}/event_date={day}", f"part-{index}-{value}.parquet", value)
    return run


def test_the_file_layer_lists_reads_writes_and_skips_hidden_names(lake_root):
    table = f"{lake_root}/clean/events"
    assert not lake_io.exists(table)
    assert lake_io.list_partition_values(table, "event_date") == []
    write_part(f"{table}/event_date=2019-10-02", "part-0.parquet", "a")
    write_part(f"{table}/event_date=2019-10-01", "_SUCCESS", "x")
    write_part(f"{table}/.spark-staging-1", "part-9.parquet", "x")
    assert lake_io.exists(table) and lake_io.is_dir(table)
    assert lake_io.list_partition_values(table, "event_date") == ["2019-10-01", "2019-10-02"]
    assert lake_io.first_data_file(table) == "part-0.parquet"
    assert lake_io.first_data_file(f"{table}/*/*.parquet") == "part-0.parquet"
    assert lake_io.first_data_file(f"{table}/event_date=2019-10-01") is None
    lake_io.write_text_atomically(f"{lake_root}/quality/reports/2019-10.json", "{}")
    lake_io.write_text_atomically(f"{lake_root}/quality/reports/2019-10.json", '{"rows": 1}')
    assert lake_io.read_text(f"{lake_root}/quality/reports/2019-10.json") == '{"rows": 1}'
    assert [e.uri.rsplit("/", 1)[-1] for e in lake_io.list_entries(f"{lake_root}/quality/reports")] == [
        "2019-10.json"
    ]


def test_a_commit_replaces_the_partitions_written_and_keeps_the_others(lake_root):
    table = f"{lake_root}/clean/events"
    commit.commit(staged_run(lake_root, ["2019-10-30", "2019-10-31"], "october"), table)
    commit.commit(staged_run(lake_root, ["2019-10-31", "2019-11-01"], "november"), table)
    assert lake_io.list_partition_values(table, "event_date") == ["2019-10-30", "2019-10-31", "2019-11-01"]
    assert read_partition(table, "event_date=2019-10-30") == ["october", "october"]
    assert read_partition(table, "event_date=2019-10-31") == ["november", "november"]
    assert commit.run_folders(lake_root) == []  # nothing left in _staging


def test_an_empty_write_replaces_nothing(lake_root):
    table = f"{lake_root}/clean/events"
    commit.commit(staged_run(lake_root, ["2019-10-30"], "october"), table)
    assert commit.commit(commit.new_run_folder(lake_root, "clean/events"), table) == []
    assert read_partition(table, "event_date=2019-10-30") == ["october", "october"]


def test_a_run_killed_during_the_swap_leaves_each_partition_old_or_new_and_the_next_sweep_finishes_it(
    lake_root,
):
    table = f"{lake_root}/clean/events"
    days = [f"2019-10-{day:02d}" for day in range(1, 7)]
    commit.commit(staged_run(lake_root, days, "old"), table)
    run = staged_run(lake_root, days, "new")
    child = subprocess.Popen(
        [sys.executable, CHILD, "swap", run, table], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
    )  # fmt: skip
    moves = 0
    while moves < 5:  # partway: two partitions swapped and the third moved aside
        assert child.stdout.readline().startswith("moved")
        moves += 1
    child.send_signal(signal.SIGKILL)
    child.wait()
    contents = {day: read_partition(table, f"event_date={day}") for day in days}
    assert all(value in ([], ["old", "old"], ["new", "new"]) for value in contents.values()), contents
    assert ["new", "new"] in contents.values() and ["old", "old"] in contents.values()
    assert commit.recover(lake_root) == {"finished": 1, "removed": 0}
    assert {day: read_partition(table, f"event_date={day}") for day in days} == {
        day: ["new", "new"] for day in days
    }
    assert commit.run_folders(lake_root) == []


def test_the_sweep_leaves_a_live_run_alone_and_removes_a_dead_unfinished_one(lake_root):
    live = staged_run(lake_root, ["2019-10-01"], "live")
    dead = staged_run(lake_root, ["2019-10-01"], "dead")
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    owner = lake_io.read_text(f"{dead}/{commit.OWNER}").replace(
        f'"pid": {os.getpid()}', f'"pid": {child.stdout.strip()}'
    )
    lake_io.write_text_atomically(f"{dead}/{commit.OWNER}", owner)
    assert commit.recover(lake_root) == {"finished": 0, "removed": 1}
    assert commit.run_folders(lake_root) == [live]
    assert not lake_io.exists(f"{lake_root}/clean/events")
