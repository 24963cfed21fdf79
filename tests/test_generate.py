"""The synthetic month generator: Kaggle format, realistic shape, determinism, bad lines, atomic writes.

No Spark here: the files are read back with the csv module. The shares below are measured on
50,000-row files with fixed seeds, so the checks are exact and never flaky.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import shlex
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from spark_jobs import generate
from spark_jobs.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data/sample/2019-Oct-sample.csv.gz"
HEADER = "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session"
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def read_lines(path: Path) -> list[str]:
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return data.decode().splitlines()


def parse(lines: list[str]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("\n".join(lines))))


def clean_reason(fields: list[str]) -> str | None:
    """The first cleaning rule of issue 2 that a raw line fails (None: valid). Kept apart from the
    clean job on purpose: this is the specification the generator's bad lines are written against."""
    if len(fields) != 9:
        return "malformed_row"
    event_time, event_type, product_id, category_id, _, _, price, user_id, session = (
        f.strip() for f in fields
    )
    try:
        dt.datetime.strptime(event_time.removesuffix(" UTC"), "%Y-%m-%d %H:%M:%S")
        valid_time = re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}( UTC)?", event_time) is not None
    except ValueError:
        valid_time = False
    checks = (
        ("bad_event_time", valid_time),
        ("bad_event_type", event_type.lower() in ("view", "cart", "remove_from_cart", "purchase")),
        ("bad_product_id", product_id.isdigit() and int(product_id) > 0),
        ("bad_category_id", category_id.isdigit()),
        ("bad_price", re.fullmatch(r"\d+(\.\d+)?", price) is not None),
        ("bad_user_id", user_id.isdigit() and int(user_id) > 0),
        ("missing_session", session != ""),
    )
    return next((reason for reason, ok in checks if not ok), None)


@pytest.fixture(scope="module")
def october(tmp_path_factory) -> list[list[str]]:
    """50,000 data lines for October 2019, seed 3, no bad lines: header + parsed rows."""
    path = tmp_path_factory.mktemp("october") / "2019-10.csv"
    generate.write_month(str(path), rows=50_000, month="2019-10", seed=3)
    return parse(read_lines(path))


@pytest.fixture(scope="module")
def events(october) -> list[list[str]]:
    return october[1:]


def share(rows: list[list[str]], predicate) -> float:
    return sum(1 for row in rows if predicate(row)) / len(rows)


def test_header_is_exactly_the_kaggle_header(october):
    assert ",".join(october[0]) == HEADER


def test_row_count_is_exact_with_duplicates_included(events):
    assert len(events) == 50_000


def test_every_line_is_valid_and_in_the_kaggle_text_format(events):
    assert all(clean_reason(row) is None for row in events)
    assert all(TIMESTAMP.fullmatch(row[0]) for row in events)
    assert all(re.fullmatch(r"\d+\.\d{2}", row[6]) for row in events)  # e.g. 489.07, 0.00
    assert all(UUID.fullmatch(row[8]) for row in events)
    assert all(row[5] == row[5].lower() for row in events)


def test_timestamps_all_fall_inside_the_month(events):
    days = {row[0][:10] for row in events}
    assert min(days) == "2019-10-01" and max(days) == "2019-10-31" and len(days) == 31


def test_short_leap_february_stays_inside_its_29_days(tmp_path):
    path = tmp_path / "feb.csv"
    generate.write_month(str(path), rows=20_000, month="2020-02", seed=1)
    days = {line[:10] for line in read_lines(path)[1:]}
    assert min(days) == "2020-02-01" and max(days) == "2020-02-29"


def test_event_mix_is_mostly_views_with_few_carts_and_purchases(events):
    assert 0.94 <= share(events, lambda r: r[1] == "view") <= 0.97
    assert 0.02 <= share(events, lambda r: r[1] == "cart") <= 0.04
    assert 0.015 <= share(events, lambda r: r[1] == "purchase") <= 0.02


def test_about_30_percent_lack_category_code_and_14_percent_lack_brand(events):
    assert 0.27 <= share(events, lambda r: r[4] == "") <= 0.33
    assert 0.11 <= share(events, lambda r: r[5] == "") <= 0.17


def test_category_codes_have_two_or_three_levels_and_ids_are_large(events):
    codes = {row[4] for row in events if row[4]}
    assert "electronics.smartphone" in codes and len(codes) > 100
    assert all(re.fullmatch(r"[a-z_]+(\.[a-z_]+){1,2}", code) for code in codes)
    assert all(len(row[3]) == 19 for row in events)  # like 2053013555631882655
    assert len({row[3] for row in events}) > 200


def test_a_product_keeps_its_category_and_brand(events):
    per_product = defaultdict(set)
    for row in events:
        per_product[row[2]].add((row[3], row[4], row[5]))
    assert all(len(variants) == 1 for variants in per_product.values())


def test_exact_duplicate_lines_are_two_per_thousand(events):
    counts = Counter(tuple(row) for row in events)
    assert sum(n - 1 for n in counts.values()) == 100  # round(0.002 * 50_000)


def test_some_events_have_price_zero(events):
    assert 20 <= sum(1 for row in events if row[6] == "0.00") <= 100


def test_sessions_hold_several_events_in_time_order(events):
    by_session = defaultdict(list)
    for row in events:
        by_session[row[8]].append(row)
    assert len(events) / len(by_session) > 3
    assert all([r[0] for r in rows] == sorted(r[0] for r in rows) for rows in by_session.values())


def test_carts_follow_a_view_of_the_same_product_in_the_session(events):
    seen, orphans, carts = set(), 0, 0
    for row in sorted(events, key=lambda r: r[0]):
        if row[1] == "view":
            seen.add((row[8], row[2]))
        elif row[1] == "cart":
            carts += 1
            orphans += (row[8], row[2]) not in seen
    assert carts > 0 and orphans == 0


def test_purchasers_are_mostly_among_carters(events):
    carters = {row[7] for row in events if row[1] == "cart"}
    purchasers = {row[7] for row in events if row[1] == "purchase"}
    assert len(purchasers & carters) / len(purchasers) > 0.8


def test_traffic_is_low_at_night_and_peaks_in_the_afternoon_utc(events):
    per_hour = Counter(int(row[0][11:13]) for row in events)
    night = sum(per_hour[h] for h in range(2, 6))
    afternoon = sum(per_hour[h] for h in range(15, 19))
    assert afternoon > 4 * night


def test_file_is_in_time_order_like_the_real_one(events):
    in_order = sum(a[0] <= b[0] for a, b in zip(events, events[1:], strict=False))
    assert in_order / (len(events) - 1) > 0.99


def test_same_seed_gives_the_same_bytes_and_another_seed_differs(tmp_path):
    paths = [tmp_path / name for name in ("a.csv.gz", "b.csv.gz", "c.csv.gz")]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        generate.write_month(str(path), rows=5_000, month="2019-11", seed=seed)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_gzip_or_plain_text_is_chosen_by_the_extension(tmp_path):
    generate.write_month(str(tmp_path / "m.csv.gz"), rows=1_000, month="2019-10", seed=2)
    generate.write_month(str(tmp_path / "m.csv"), rows=1_000, month="2019-10", seed=2)
    compressed = (tmp_path / "m.csv.gz").read_bytes()
    assert compressed[:2] == b"\x1f\x8b"
    assert gzip.decompress(compressed) == (tmp_path / "m.csv").read_bytes()
    assert (tmp_path / "m.csv").read_bytes().startswith(HEADER.encode() + b"\n")


def test_other_extensions_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"\.csv or \.csv\.gz"):
        generate.write_month(str(tmp_path / "m.txt"), rows=10, month="2019-10")


def test_several_chunks_give_exact_counts_and_all_duplicates(tmp_path):
    chunks = list(generate.month_chunks(25_000, "2019-10", seed=4, bad_rows=9, chunk_rows=10_000))
    assert [plan.lines for plan, _ in chunks] == [10_000, 10_000, 5_000]
    assert [len(lines) for _, lines in chunks] == [10_000, 10_000, 5_000]
    assert sum(plan.duplicates for plan, _ in chunks) == 50  # round(0.002 * (25_000 - 9))
    assert sum(plan.bad_lines for plan, _ in chunks) == 9


@pytest.fixture(scope="module")
def with_bad_lines(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad") / "bad.csv.gz"
    result = generate.write_month(str(path), rows=20_000, month="2019-10", seed=8, bad_rows=40)
    return result, parse(read_lines(path))[1:]


def test_bad_lines_break_exactly_the_rules_reported_by_the_generator(with_bad_lines):
    result, rows = with_bad_lines
    reasons = Counter(clean_reason(row) for row in rows)
    assert reasons.pop(None) == 20_000 - 40
    assert dict(reasons) == {kind: n for kind, n in result.bad_rows.items() if n}
    assert set(result.bad_rows) == set(generate.BAD_KINDS)
    assert all(n >= 5 for n in result.bad_rows.values())  # 40 lines rotate through the 8 kinds


def test_bad_lines_are_mixed_in_not_appended(with_bad_lines):
    _, rows = with_bad_lines
    positions = [i for i, row in enumerate(rows) if clean_reason(row)]
    assert positions[0] < len(rows) // 2 < positions[-1]


def test_bad_lines_are_the_kinds_the_cleaning_contract_lists(with_bad_lines):
    _, rows = with_bad_lines
    bad = [row for row in rows if clean_reason(row)]
    assert {len(row) for row in bad if clean_reason(row) == "malformed_row"} <= {8, 10}
    assert any(row[0] == "2019-02-30 10:00:00 UTC" or row[0] == "2019-10-32 08:15:00 UTC" for row in bad)
    assert any(row[8] == "" for row in bad if len(row) == 9)


def test_an_interrupted_run_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    out = tmp_path / "m.csv"
    out.write_text("previous\n")

    def failing_chunks(*args, **kwargs):
        yield from []
        raise KeyboardInterrupt

    monkeypatch.setattr(generate, "month_chunks", failing_chunks)
    with pytest.raises(KeyboardInterrupt):
        generate.write_month(str(out), rows=1_000, month="2019-10")
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv"]


def test_cli_writes_the_file_and_logs_rows_duplicates_and_path(tmp_path, capsys):
    out = tmp_path / "sub" / "m.csv.gz"
    args = ["generate", "--rows", "3000", "--month", "2019-12", "--out", str(out), "--bad-rows", "8"]
    assert main(args) == 0
    assert len(read_lines(out)) == 3_001
    message = capsys.readouterr().err  # the CLI configures its own log handler on stderr
    assert "3,000 rows" in message and "6 exact duplicates" in message and "8 bad lines" in message
    assert str(out) in message


def test_cli_rejects_a_bad_month_before_writing(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["generate", "--rows", "10", "--month", "2019-13", "--out", str(tmp_path / "m.csv")])
    assert stopped.value.code == 2
    assert "YYYY-MM" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_committed_sample_is_what_the_documented_command_makes(tmp_path):
    readme = (REPO / "data/sample/README.md").read_text()
    command = next(line for line in readme.splitlines() if line.startswith("python -m spark_jobs generate"))
    args = shlex.split(command)[3:]
    args[args.index("--out") + 1] = str(tmp_path / SAMPLE.name)
    assert main(args) == 0
    assert (tmp_path / SAMPLE.name).read_bytes() == SAMPLE.read_bytes()
    assert SAMPLE.stat().st_size < 800_000


def test_the_sample_has_each_kind_of_bad_line_and_a_cut_last_line():
    text = gzip.decompress(SAMPLE.read_bytes()).decode()
    lines = text.split("\n")
    assert len(lines) == 1 + 30001 and not text.endswith("\n")
    assert lines[-1].count(",") == 2  # cut in its third field
    fields = [line.split(",") for line in lines[1:]]
    assert sum(f[0].startswith("2019-02-30") for f in fields) >= 1
    assert sum(len(f) == 9 and f[6] == "-12.50" for f in fields) >= 1
    assert sum(len(f) == 9 and f[8] == "" for f in fields) == 2
