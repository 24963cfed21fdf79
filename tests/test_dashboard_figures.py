"""Every chart and tile of the dashboard shows exactly the rows of its warehouse view.

The warehouse is the hand-made lake of tests/warehouse_lake.py loaded with the project's DuckDB loader
(both months unless a test says otherwise); each test reads the view itself and compares it with the
figure's data.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from plotly.offline import get_plotlyjs
from warehouse_lake import build_lake

from spark_jobs.cli import main
from spark_jobs.dashboard import figures, formatting, render
from spark_jobs.dashboard.data import read_dashboard_data
from spark_jobs.errors import UserError
from spark_jobs.warehouse import sql
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


def test_daily_trend_has_one_category_per_date_and_leaves_dates_without_sessions_empty(warehouse):
    """Sessions on Oct 1, Oct 2 and Nov 1: the axis holds every date between, the others are gaps."""
    rows = fetch(
        warehouse, "SELECT session_date, sessions, revenue FROM v_session_kpis ORDER BY session_date"
    )
    figure = figures.daily_trend_figure(read_dashboard_data(str(warehouse)).daily)
    bars, line = figure.data
    dates = [dt.date(2019, 10, 1) + dt.timedelta(days=n) for n in range(32)]
    assert list(bars.x) == [date.isoformat() for date in dates] == list(line.x)
    by_date = {row["session_date"]: row for row in rows}
    assert list(bars.y) == [by_date[d]["sessions"] if d in by_date else None for d in dates]
    assert [None if v is None else float(v) for v in line.y] == [
        float(by_date[d]["revenue"]) if d in by_date else None for d in dates
    ]
    assert line.connectgaps is False and figure.layout.xaxis.type == "category"


def test_daily_trend_of_one_day_is_one_labelled_bar():
    daily = [dict(session_date=dt.date(2019, 10, 1), sessions=5066, revenue=59442.63)]
    figure = figures.daily_trend_figure(daily)
    bars, line = figure.data
    assert list(bars.x) == ["2019-10-01"] == list(line.x)
    assert figure.layout.xaxis.type == "category"
    assert figure.layout.yaxis2.tickprefix == "$" and line.name == "revenue (USD)"


def test_funnel_shows_each_units_stages_with_the_views_rates(warehouse):
    rows = fetch(warehouse, "SELECT * FROM v_dash_funnel ORDER BY stage_order")
    figure = figures.funnel_figure(read_dashboard_data(str(warehouse)).funnel)
    assert [trace.name for trace in figure.data] == ["users", "sessions"]
    for trace in figure.data:
        unit_rows = [row for row in rows if row["unit"] == trace.name]
        assert (
            list(trace.y) == ["any event", "cart or later", "purchase"] == [row["stage"] for row in unit_rows]
        )
        assert list(trace.x) == [row["reached"] for row in unit_rows]
        for text, row in zip(trace.text[1:], unit_rows[1:], strict=True):
            assert f"{row['step_rate']:.1%} went on" in text
            assert f"{row['drop_off_rate']:.1%} dropped off" in text


def test_hourly_traffic_has_a_line_per_event_type_over_all_24_hours_with_gaps(warehouse):
    rows = fetch(warehouse, "SELECT * FROM v_dash_hourly_traffic ORDER BY event_hour")
    data = read_dashboard_data(str(warehouse))
    figure = figures.hourly_traffic_figure(data.hourly, data.peak_hours)
    assert [trace.name for trace in figure.data] == ["view", "cart", "remove_from_cart", "purchase"]
    for trace in figure.data:
        typed = {
            row["event_hour"]: row["avg_events_per_day"] for row in rows if row["event_type"] == trace.name
        }
        assert list(trace.x) == list(range(24))
        assert list(trace.y) == [typed.get(hour) for hour in range(24)]  # None: no date covers the hour
        assert trace.connectgaps is False
    assert figure.layout.yaxis.rangemode == "tozero"
    assert figure.layout.legend.y < 0  # under the plot, clear of the "views" panel title


def test_the_busiest_hour_is_no_peak_when_fewer_than_24_hours_are_covered(warehouse):
    """Both months cover 08-09 (Oct) and 10-12 (Nov): 5 hours of the day."""
    data = read_dashboard_data(str(warehouse))
    figure = figures.hourly_traffic_figure(data.hourly, data.peak_hours)
    assert figure.layout.shapes == ()
    callout = render.peak_callout(data.peak_hours)
    assert "Busiest of the 5 hours of the day the data covers: <b>09:00-10:00 UTC</b>" in callout
    assert "8.00 events per covered day (1 day covers this hour)" in callout
    assert "Not a peak hour: 19 hours of the day have no data." in callout


def test_a_fully_covered_day_marks_its_peak_hour():
    hours = [
        dict(event_hour=h, days_covered=2, events=10 + h, avg_events_per_day=(10 + h) / 2, share_of_events=0.04,
             traffic_rank=24 - h, hours_of_day_covered=24)
        for h in range(24)
    ]  # fmt: skip
    views = [
        dict(event_hour=h, event_type="view", events=h, days_covered=2, avg_events_per_day=h / 2)
        for h in range(24)
    ]
    figure = figures.hourly_traffic_figure(views, hours)
    assert {shape.x0 for shape in figure.layout.shapes} == {23}
    assert "peak 23:00 UTC" in figure.layout.annotations[-1].text
    callout = render.peak_callout(hours)
    assert (
        "Peak hour: <b>23:00-00:00 UTC</b>" in callout and "16.50 events per covered day (2 days" in callout
    )


def test_event_mix_donut_slices_are_the_views_counts_and_shares(warehouse):
    rows = fetch(warehouse, "SELECT * FROM v_dash_event_mix ORDER BY events DESC")
    (pie,) = figures.event_mix_figure(read_dashboard_data(str(warehouse)).event_mix).data
    assert (
        list(pie.labels)
        == [row["event_type"] for row in rows]
        == ["view", "cart", "purchase", "remove_from_cart"]
    )
    assert list(pie.values) == [row["events"] for row in rows]
    assert list(pie.text) == [f"{row['share_of_events']:.1%}" for row in rows]


def test_segment_bars_show_the_latest_months_ranking(warehouse):
    rows = fetch(warehouse, "SELECT * FROM v_category_brand_ranking WHERE event_month = DATE '2019-11-01'")
    segments = read_dashboard_data(str(warehouse)).segments
    assert sorted(row["segment"] for row in segments) == sorted(row["segment"] for row in rows)
    revenue, _ = figures.segment_figure(segments, "category").data
    assert list(revenue.y) == ["appliances"]
    assert floats(revenue.x) == [100.0]


def test_conversion_bars_show_only_segments_the_view_ranked(october):
    """October categories have 7 and 3 viewers (the second has no category_code, so its category_id):
    below the view's floor of 50, so no conversion rank."""
    rows = fetch(october, "SELECT * FROM v_category_brand_ranking WHERE dimension = 'category'")
    by_segment = {row["segment"]: row for row in rows}
    segments = read_dashboard_data(str(october)).segments
    figure = figures.segment_figure(segments, "category")
    revenue, conversion = figure.data
    assert list(revenue.y) == ["electronics", "category_id 5"]
    assert floats(revenue.x) == [float(by_segment["electronics"]["revenue"]), 0.0]
    assert list(conversion.y) == []
    assert "no category with 50+ viewers" in [annotation.text for annotation in figure.layout.annotations]


def test_conversion_bars_follow_the_views_conversion_rank():
    segments = [
        dict(dimension="brand", segment=name, revenue=1.0, revenue_rank=1, viewers=viewers, conversion_rank=rank,
             view_to_purchase_rate=rate)
        for name, viewers, rank, rate in (("a", 60, 2, 0.1), ("b", 80, 1, 0.2), ("c", 3, None, 1.0))
    ]  # fmt: skip
    _, conversion = figures.segment_figure(segments, "brand").data
    assert list(conversion.y) == ["b", "a"]
    assert list(conversion.x) == [0.2, 0.1]


def test_the_dashboards_viewer_floor_is_the_views():
    view = (sql.VIEWS_DIR / "v_category_brand_ranking.sql").read_text()
    assert f"viewers >= {figures.MIN_VIEWERS_FOR_CONVERSION} AS ranked_by_conversion" in view


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


def test_kpi_tiles_print_the_views_period_values_and_say_when_no_days_compare(october):
    rows = fetch(october, "SELECT * FROM v_dash_kpis ORDER BY metric_order")
    tiles = render.kpi_tiles(rows, tuple(row["metric"] for row in rows))
    for row in rows:
        tile = re.search(rf'<div class="tile" data-metric="{row["metric"]}">(.*?)</div></div>', tiles).group(
            1
        )
        assert formatting.value(row["period_value"], row["kind"]) in tile
        assert "no two complete days to compare" in tile
    assert '<div class="value">$10.50</div>' in tiles  # revenue in USD


def test_kpi_tiles_compare_the_last_complete_day_with_the_day_before(october):
    rows = [
        dict(row, last_day=dt.date(2019, 10, 2), previous_day=dt.date(2019, 10, 1))
        for row in fetch(october, "SELECT * FROM v_dash_kpis ORDER BY metric_order")
    ]
    by_metric = {row["metric"]: row for row in rows}
    by_metric["sessions"].update(
        last_day_value=1.0, previous_day_value=3.0, relative_change_vs_previous_day=-2 / 3
    )
    by_metric["bounce_rate"].update(
        last_day_value=1.0, previous_day_value=1 / 3, change_vs_previous_day=2 / 3
    )
    tiles = render.kpi_tiles(rows, ("sessions", "bounce_rate"))
    sessions = re.search(r'data-metric="sessions">(.*?)</div></div>', tiles).group(1)
    assert "Oct 02 <b>1</b>" in sessions and "Oct 01 3" in sessions
    assert '<span class="bad">▼ -66.7%</span>' in sessions
    bounce = re.search(r'data-metric="bounce_rate">(.*?)</div></div>', tiles).group(1)
    assert '<span class="bad">▲ +66.67 pp</span>' in bounce  # a higher bounce rate is bad news


def test_the_header_says_what_the_data_covers(october):
    coverage = read_dashboard_data(str(october)).coverage[0]
    assert render.coverage_text(coverage) == (
        "Events from 2019-10-01 08:00:00 UTC to 2019-10-02 08:00:00 UTC: 3 hours with events on 2 days, "
        "none of them complete (00:00-23:59 UTC); the last day (2019-10-02) is partial."
    )


def test_page_is_self_contained_and_holds_every_section(warehouse):
    page = render.render_page(read_dashboard_data(str(warehouse)), source="w.duckdb")
    assert not re.search(r"<script[^>]+src=", page), "scripts must be inlined"
    assert not re.search(r"<link[^>]+href=", page), "no external stylesheet"
    assert page.count(get_plotlyjs()) == 1
    for section in ("live", "kpis", "funnel", "traffic", "segments", "sessions", "journeys", "quality"):
        assert f'<section id="{section}">' in page
    charts = re.findall(r'<div id="(chart-[a-z-]+)" class="plotly-graph-div"', page)
    assert charts == [
        "chart-live",
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
    with pytest.raises(UserError, match="no view v_dash_coverage; reload it"):
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
