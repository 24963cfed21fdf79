"""The dashboard's "Last hour" section: freshness, tiles and chart from v_live_last_hour."""

from __future__ import annotations

import datetime as dt

from test_live_warehouse import live_lake
from warehouse_lake import build_lake

from spark_jobs.dashboard.data import read_dashboard_data
from spark_jobs.dashboard.live import freshness, live_section
from spark_jobs.dashboard.render import chart, render_page
from spark_jobs.warehouse.duckdb_loader import load_duckdb

UTC = dt.timezone.utc


def text_of(markup: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", markup)


def test_live_data_reads_as_of_its_newest_event_and_how_old_that_is():
    line = freshness(
        dt.datetime(2026, 12, 1, 12, 4, 10), None, dt.datetime(2026, 12, 1, 12, 4, 48, tzinfo=UTC)
    )
    assert text_of(line) == "data as of 12:04:10 UTC, 38 s ago"
    assert 'data-since="1796126650000"' in line  # the browser keeps counting from the event time


def test_replayed_data_gives_the_event_date_and_when_the_newest_batch_was_processed():
    line = freshness(
        dt.datetime(2019, 10, 1, 12, 4, 10),
        dt.datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC),
        dt.datetime(2026, 12, 1, 12, 3, 0, tzinfo=UTC),
    )
    assert text_of(line) == (
        "data as of 2019-10-01 12:04:10 UTC (event time; replayed or late data), processed 3 min ago"
    )


def test_replayed_data_without_a_batch_record_gives_the_event_time_only():
    line = freshness(
        dt.datetime(2019, 10, 1, 12, 4, 10), None, dt.datetime(2026, 12, 1, 12, 3, 0, tzinfo=UTC)
    )
    assert text_of(line) == "data as of 2019-10-01 12:04:10 UTC (event time; replayed or late data)"


def test_no_live_rows_no_section():
    assert live_section([], [], dt.datetime.now(UTC), chart) == ""


def page_for(lake, tmp_path, now):
    warehouse = tmp_path / "w.duckdb"
    load_duckdb(lake=lake, warehouse=str(warehouse))
    return render_page(read_dashboard_data(str(warehouse)), source=str(warehouse), now=now)


def test_the_section_shows_the_views_totals_and_active_users_of_the_newest_minute(tmp_path):
    now = dt.datetime(2019, 11, 1, 10, 2, 20, tzinfo=UTC)  # 38 s after the newest event (10:01:42)
    page = page_for(live_lake(tmp_path / "lake"), tmp_path, now)
    section = page[
        page.index('<section id="live">') : page.index("</section>", page.index('<section id="live">'))
    ]
    assert "data as of 10:01:42 UTC, 38 s ago" in text_of(section)
    tiles = {
        metric: text_of(section.split(f'data-metric="{metric}">')[1].split("</div></div>")[0])
        for metric in ("live_events", "live_active_5m", "live_active_60m", "live_carts", "live_purchases")
    }
    assert tiles == {
        "live_events": "Events, last 60 min7a week earlier: 6",  # minutes 09:59, 10:00, 10:01; 3 + 3
        "live_active_5m": "Active users, 5 min1",
        "live_active_60m": "Active users, 60 min10",
        "live_carts": "Carts1a week earlier: 2",
        "live_purchases": "Purchases1a week earlier: 0",
    }
    assert 'id="chart-live"' in section and "42.00" in section


def test_the_section_comes_first_and_a_warehouse_without_live_data_has_none(tmp_path):
    import shutil

    from spark_jobs import contract

    lake = build_lake(tmp_path / "lake")
    assert page_for(lake, tmp_path, None).index('id="live"') < page_for(lake, tmp_path, None).index(
        'id="kpis"'
    )
    shutil.rmtree(lake.table_path(contract.LIVE_TRAFFIC))
    assert 'id="live"' not in page_for(lake, tmp_path, None)
