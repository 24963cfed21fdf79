"""Every chart and tile of the dashboard shows exactly the rows of its warehouse view.

The warehouse is the hand-made lake of tests/warehouse_lake.py loaded with the project's DuckDB loader
(both months unless a test says otherwise); each test reads the view itself and compares it with the
figure's data.
"""

from __future__ import annotations

import re

import duckdb
import pytest
from plotly.offline import get_plotlyjs
from warehouse_lake import build_lake

from spark_jobs.cli import main
from spark_jobs.dashboard import figures, formatting, render
from spark_jobs.dashboard.data import read_dashboard_data
from spark_jobs.errors import UserError
from spark_jobs.warehouse.duckdb_loader import load_duckdb


def fetch(path, statement: str) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(statement)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def build_warehouse(root, months=None):
    warehouse = root / "warehouse.duckdb"
    load_duckdb(lake=build_lake(root / "lake", months=months), warehouse=str(warehouse))
    return warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("dash_both_months"))


@pytest.fixture(scope="module")
def october(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("dash_october"), months={"2019-10"})


def floats(values) -> list[float]:
    return [float(value) for value in values]


def test_daily_trend_shows_sessions_and_revenue_of_each_session_day(warehouse):
    rows = fetch(
        warehouse, "SELECT session_date, sessions, revenue FROM v_session_kpis ORDER BY session_date"
    )
    bars, line = figures.daily_trend_figure(read_dashboard_data(str(warehouse)).daily).data
    assert list(bars.x) == [row["session_date"] for row in rows] == list(line.x)
    assert list(bars.y) == [row["sessions"] for row in rows]
    assert floats(line.y) == floats(row["revenue"] for row in rows)


def test_funnel_shows_each_units_stages_with_the_views_rates(warehouse):
    rows = fetch(warehouse, "SELECT * FROM v_dash_funnel ORDER BY stage_order")
    figure = figures.funnel_figure(read_dashboard_data(str(warehouse)).funnel)
    assert [trace.name for trace in figure.data] == ["users", "sessions"]
    for trace in figure.data:
        unit_rows = [row for row in rows if row["unit"] == trace.name]
        assert list(trace.y) == ["view", "cart", "purchase"] == [row["stage"] for row in unit_rows]
        assert list(trace.x) == [row["reached"] for row in unit_rows]
        for text, row in zip(trace.text[1:], unit_rows[1:], strict=True):
            assert f"{row['step_rate']:.1%} went on" in text
            assert f"{row['drop_off_rate']:.1%} dropped off" in text


def test_hourly_traffic_has_one_line_per_event_type_and_marks_the_peak_hour(warehouse):
    rows = fetch(warehouse, "SELECT * FROM v_dash_hourly_traffic ORDER BY event_hour")
    data = read_dashboard_data(str(warehouse))
    figure = figures.hourly_traffic_figure(data.hourly, data.peak_hours)
    assert [trace.name for trace in figure.data] == ["view", "cart", "purchase"]
    for trace in figure.data:
        typed = [row for row in rows if row["event_type"] == trace.name]
        assert list(trace.x) == [row["event_hour"] for row in typed]
        assert list(trace.y) == [row["events"] for row in typed]
    (peak,) = fetch(warehouse, "SELECT event_hour FROM v_peak_hours WHERE traffic_rank = 1")
    assert {shape.x0 for shape in figure.layout.shapes} == {peak["event_hour"]} == {8}  # a line per panel
    assert "peak 08:00 UTC" in figure.layout.annotations[-1].text
    assert "<b>08:00-09:00 UTC</b>" in render.peak_callout(data.peak_hours)


def test_event_mix_donut_slices_are_the_views_counts_and_shares(warehouse):
    rows = fetch(warehouse, "SELECT * FROM v_dash_event_mix ORDER BY events DESC")
    (pie,) = figures.event_mix_figure(read_dashboard_data(str(warehouse)).event_mix).data
    assert list(pie.labels) == [row["event_type"] for row in rows] == ["view", "cart", "purchase"]
    assert list(pie.values) == [row["events"] for row in rows]
    assert list(pie.text) == [f"{row['share_of_events']:.1%}" for row in rows]


def test_segment_bars_show_the_latest_months_ranking(warehouse):
    rows = fetch(warehouse, "SELECT * FROM v_category_brand_ranking WHERE event_month = DATE '2019-11-01'")
    segments = read_dashboard_data(str(warehouse)).segments
    assert sorted(row["segment"] for row in segments) == sorted(row["segment"] for row in rows)
    revenue, _ = figures.segment_figure(segments, "category").data
    assert list(revenue.y) == ["appliances"]
    assert floats(revenue.x) == [100.0]


def test_conversion_bars_rank_segments_seen_by_enough_viewers(october, monkeypatch):
    """October categories: electronics (7 viewers, 2 buyers), unknown (3 viewers, none bought)."""
    rows = fetch(october, "SELECT * FROM v_category_brand_ranking WHERE dimension = 'category'")
    by_segment = {row["segment"]: row for row in rows}
    segments = read_dashboard_data(str(october)).segments
    figure = figures.segment_figure(segments, "category")
    revenue, conversion = figure.data
    assert list(revenue.y) == ["electronics", "unknown"]
    assert floats(revenue.x) == [float(by_segment["electronics"]["revenue"]), 0.0]
    assert list(conversion.y) == []  # nobody reaches the default 50 viewers, and the chart says so
    assert "no category with 50+ viewers" in [annotation.text for annotation in figure.layout.annotations]
    monkeypatch.setattr(figures, "MIN_VIEWERS_FOR_CONVERSION", 3)
    _, conversion = figures.segment_figure(segments, "category").data
    assert list(conversion.y) == ["electronics", "unknown"]
    assert list(conversion.x) == [by_segment["electronics"]["view_to_purchase_rate"], 0.0]
    monkeypatch.setattr(figures, "MIN_VIEWERS_FOR_CONVERSION", 5)
    _, conversion = figures.segment_figure(segments, "category").data
    assert list(conversion.y) == ["electronics"]


@pytest.mark.parametrize("measure", ["duration", "events", "furthest_stage"])
def test_session_charts_show_the_breakdown_buckets(warehouse, measure):
    rows = fetch(
        warehouse, f"SELECT * FROM v_dash_session_breakdown WHERE measure = '{measure}' ORDER BY bucket_order"
    )
    breakdown = read_dashboard_data(str(warehouse)).session_breakdown
    (bars,) = figures.session_breakdown_figure(breakdown, measure, "title", "axis").data
    assert list(bars.x) == [row["bucket"] for row in rows]
    assert list(bars.y) == [row["sessions"] for row in rows]
    assert list(bars.text) == [f"{row['share_of_sessions']:.1%}" for row in rows]


def test_quality_charts_show_each_batchs_outcomes_and_quarantine_reasons(warehouse):
    batches = fetch(warehouse, "SELECT * FROM v_data_quality_batches ORDER BY batch_id")
    data = read_dashboard_data(str(warehouse))
    outcomes = figures.quality_outcome_figure(data.quality_batches).data
    assert [trace.name for trace in outcomes] == ["valid", "duplicate", "quarantined"]
    for trace, column in zip(outcomes, ["valid_rows", "duplicate_rows", "quarantined_rows"], strict=True):
        assert list(trace.y) == ["2019-10", "2019-11"]
        assert list(trace.x) == [row[column] for row in batches]
    (reasons,) = figures.quarantine_reason_figure(data.quality_detail).data
    assert list(reasons.y) == ["bad_price (2019-10)", "bad_event_time (2019-10)"]
    assert list(reasons.x) == [3, 2]


def test_no_quarantine_chart_when_nothing_was_quarantined():
    detail = [{"batch_id": "2019-11", "outcome": "valid", "reason": "", "row_count": 50}]
    assert figures.quarantine_reason_figure(detail) is None


def test_kpi_tiles_print_the_views_values_for_the_period_and_the_last_two_days(october):
    rows = fetch(october, "SELECT * FROM v_dash_kpis ORDER BY metric_order")
    tiles = render.kpi_tiles(rows, tuple(row["metric"] for row in rows))
    for row in rows:
        tile = re.search(rf'<div class="tile" data-metric="{row["metric"]}">(.*?)</div></div>', tiles).group(
            1
        )
        for column in ("period_value", "last_day_value", "previous_day_value"):
            assert formatting.value(row[column], row["kind"]) in tile
    sessions = re.search(r'data-metric="sessions">(.*?)</div></div>', tiles).group(1)
    assert ">4<" in sessions and "<b>1</b>" in sessions and "previous day 3" in sessions
    assert '<span class="bad">▼ -66.7%</span>' in sessions
    bounce = re.search(r'data-metric="bounce_rate">(.*?)</div></div>', tiles).group(1)
    assert '<span class="bad">▲ +66.67 pp</span>' in bounce  # a higher bounce rate is bad news
    assert "n/a" in re.search(r'data-metric="cart_to_purchase_rate">(.*?)</div></div>', tiles).group(1)


def test_page_is_self_contained_and_holds_every_section(warehouse):
    page = render.render_page(read_dashboard_data(str(warehouse)), source="w.duckdb")
    assert not re.search(r"<script[^>]+src=", page), "scripts must be inlined"
    assert not re.search(r"<link[^>]+href=", page), "no external stylesheet"
    assert page.count(get_plotlyjs()) == 1
    for section in ("kpis", "funnel", "traffic", "segments", "sessions", "journeys", "quality"):
        assert f'<section id="{section}">' in page
    charts = re.findall(r'<div id="(chart-[a-z-]+)" class="plotly-graph-div"', page)
    assert charts == [
        "chart-daily",
        "chart-funnel",
        "chart-hourly",
        "chart-event-mix",
        "chart-categories",
        "chart-brands",
        "chart-session-duration",
        "chart-session-events",
        "chart-session-stage",
        "chart-journey-funnel",
        "chart-journey-time",
        "chart-journey-abandonment",
        "chart-journey-paths",
        "chart-quality-outcomes",
        "chart-quality-reasons",
    ]
    assert 'id="segment-table"' in page and 'id="quality-table"' in page


def test_cli_writes_the_page_and_prints_its_path(warehouse, tmp_path, capsys):
    out = tmp_path / "reports" / "dashboard.html"
    assert main(["dashboard", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [path.name for path in out.parent.iterdir()] == ["dashboard.html"]  # no temporary file left


def test_cli_names_a_missing_warehouse_in_one_line(tmp_path, capsys):
    out = tmp_path / "dashboard.html"
    assert main(["dashboard", "--warehouse", str(tmp_path / "missing.duckdb"), "--out", str(out)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and f"warehouse not found: {tmp_path / 'missing.duckdb'}" in errors[0]
    assert not out.exists()


def test_an_old_warehouse_without_the_dashboard_views_asks_for_a_reload(tmp_path):
    warehouse = tmp_path / "old.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE sessions (user_session VARCHAR)")
    with pytest.raises(UserError, match="no view v_dash_kpis; reload it"):
        read_dashboard_data(str(warehouse))


def test_a_file_that_is_not_a_duckdb_warehouse_is_named(tmp_path):
    not_a_warehouse = tmp_path / "notes.duckdb"
    not_a_warehouse.write_text("not a database")
    with pytest.raises(UserError, match=f"cannot open the warehouse {not_a_warehouse}"):
        read_dashboard_data(str(not_a_warehouse))


def test_rebuilding_from_the_same_warehouse_writes_the_same_bytes(warehouse, tmp_path):
    first, second = tmp_path / "first.html", tmp_path / "second.html"
    for out in (first, second):
        assert main(["dashboard", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    assert first.read_bytes() == second.read_bytes()
