"""`replay`: a Kaggle file lands as small files in event-time order, each published whole, at N x real time."""

from __future__ import annotations

import json
import os

import pytest
from builders import GOOD, HEADER
from test_pipeline import write_csv

from spark_jobs.cli import main
from spark_jobs.errors import UserError
from spark_jobs.replay import replay


def line(time: str, user: str = "1") -> str:
    values = {**GOOD, "event_time": f"{time} UTC", "user_id": user}
    return ",".join(values[name] for name in HEADER.split(","))


LINES = [
    line("2019-10-01 00:00:00"),
    line("2019-10-01 00:00:59"),
    line("2019-10-01 00:01:10"),
    line("2019-10-01 00:00:30", user="7"),  # out of order: lands in the current (00:01) file
    line("2019-10-01 00:04:00"),  # minutes 00:02 and 00:03 have no events: no empty files
]


def write_input(path, lines, gz=True) -> str:
    return write_csv(path, lines, gz=gz)


class FakeClock:
    """Replay time without waiting: sleep() moves the clock (a test of pacing, not of the OS)."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def landed(folder) -> dict[str, list[str]]:
    return {name: (folder / name).read_text().splitlines() for name in sorted(os.listdir(folder))}


def test_files_cover_file_seconds_of_event_time_in_order_and_start_with_the_header(tmp_path):
    source = write_input(tmp_path / "2019-Oct.csv.gz", LINES)
    result = replay(input_path=source, landing=str(tmp_path / "landing"), speed=1e9, file_seconds=60)
    files = landed(tmp_path / "landing")
    assert list(files) == [
        "2019-Oct-20191001T000000-000000.csv",
        "2019-Oct-20191001T000100-000001.csv",
        "2019-Oct-20191001T000400-000002.csv",
    ]
    assert [body[1:] for body in files.values()] == [LINES[0:2], LINES[2:4], LINES[4:]]
    assert all(body[0] == HEADER for body in files.values())
    assert (result.files, result.rows) == (3, 5)


def test_each_file_is_published_when_the_replay_clock_reaches_the_end_of_its_span(tmp_path):
    source = write_input(tmp_path / "2019-Oct.csv", LINES, gz=False)
    fake = FakeClock()
    replay(
        input_path=source,
        landing=str(tmp_path / "landing"),
        speed=60,  # a minute of events per second
        file_seconds=60,
        sleep=fake.sleep,
        clock=fake.clock,
    )
    # spans end at 1, 2 and 5 event minutes: due at 1 s, 2 s and 5 s of replay time
    assert fake.sleeps == [1.0, 1.0, 3.0]


def test_no_file_is_visible_half_written_and_no_hidden_file_is_left(tmp_path):
    landing = tmp_path / "landing"
    seen: list[list[str]] = []

    def sleep(_seconds):  # look at the landing zone between two publications
        seen.append(sorted(os.listdir(landing)))

    source = write_input(tmp_path / "2019-Oct.csv.gz", LINES)
    replay(input_path=source, landing=str(landing), speed=60, file_seconds=60, sleep=sleep)
    assert all(not name.startswith(".") for names in seen for name in names)
    assert not [name for name in os.listdir(landing) if name.startswith(".")]


def test_an_input_without_the_kaggle_header_is_refused(tmp_path):
    source = tmp_path / "other.csv"
    source.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(UserError, match="is not the Kaggle header"):
        replay(input_path=str(source), landing=str(tmp_path / "landing"), speed=10)


def test_the_command_replays_the_bundled_sample_and_prints_a_summary(tmp_path, capsys):
    sample = os.path.join(os.path.dirname(__file__), "..", "data", "sample", "2019-Oct-sample.csv.gz")
    landing = tmp_path / "landing"
    code = main(
        ["replay", "--input", sample, "--landing", str(landing), "--speed", "1e9", "--file-seconds", "3600"]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    # every line of the sample, its 17 bad ones included (the stream quarantines them)
    assert summary["rows"] == 30001
    assert summary["files"] == len(os.listdir(landing))
    assert sum(len((landing / name).read_text().splitlines()) - 1 for name in os.listdir(landing)) == 30001
