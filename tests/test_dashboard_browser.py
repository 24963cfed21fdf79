"""The dashboard file in a real headless Chromium (Debian's `chromium`, driven by playwright).

The page is opened from the file with the network unused: every chart must draw marks, the page must
log no JavaScript error and request nothing but itself. A full-page screenshot is saved as
test-artifacts/dashboard.png. `make test` installs chromium where apt-get is available; elsewhere the
test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from real_warehouses import REAL_FILES, warehouse_of
from warehouse_lake import build_lake

from spark_jobs.dashboard import build_dashboard
from spark_jobs.warehouse.duckdb_loader import load_duckdb

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOAD_TIMEOUT_MS = 60_000  # an upper bound for slow machines, not a performance check

# Per Plotly chart: how many drawn marks (bars, funnel bars, line paths, pie slices) have a visible size.
COUNT_MARKS = """
() => Array.from(document.querySelectorAll(".js-plotly-plot")).map((chart) => ({
  id: chart.id,
  svg: chart.querySelectorAll("svg.main-svg").length,
  marks: Array.from(chart.querySelectorAll("g.trace path, g.slice path")).filter((mark) => {
    const box = mark.getBBox();
    return box.width + box.height > 0;
  }).length,
}))
"""


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """One headless Chromium for the module (playwright's sync API runs one instance at a time)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "Chromium not found (/usr/bin/chromium): `make test` installs Debian's chromium with apt-get"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path_factory.mktemp("profile")),
            executable_path=executable,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def browser_page(chromium, tmp_path_factory):
    root = tmp_path_factory.mktemp("dash_browser")
    warehouse = root / "warehouse.duckdb"
    load_duckdb(lake=build_lake(root / "lake"), warehouse=str(warehouse))
    page_file = Path(build_dashboard(warehouse=str(warehouse), out=str(root / "dashboard.html")))
    page = chromium.new_page()
    events = {"errors": [], "requests": []}
    page.on("pageerror", lambda error: events["errors"].append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and events["errors"].append(f"console: {message.text}"),
    )
    page.on("request", lambda request: events["requests"].append(request.url))
    page.goto(page_file.as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(
        "() => { const charts = document.querySelectorAll('.js-plotly-plot');"
        " return charts.length > 0 && Array.from(charts).every((c) => c.querySelector('g.cartesianlayer, g.pielayer')); }",
        timeout=LOAD_TIMEOUT_MS,
    )
    yield page, events, page_file
    page.close()


def test_every_chart_container_draws_marks(browser_page):
    page, _, _ = browser_page
    containers = page.eval_on_selector_all(".plotly-graph-div", "divs => divs.map((d) => d.id)")
    charts = page.evaluate(COUNT_MARKS)
    assert [chart["id"] for chart in charts] == containers
    # with the Last hour chart (the hand-made lake has a live window) and the four Journeys charts
    assert len(containers) == 16
    empty = [chart for chart in charts if chart["svg"] == 0 or chart["marks"] == 0]
    assert not empty, f"charts without a drawing: {empty}"


def test_page_logs_no_javascript_error_and_requests_nothing_but_itself(browser_page):
    _, events, page_file = browser_page
    assert events["errors"] == []
    assert events["requests"] == [page_file.as_uri()]


def test_kpi_tiles_and_peak_hour_are_shown(browser_page):
    page, _, _ = browser_page
    users = page.inner_text('.tile[data-metric="users"]')
    assert users.splitlines()[:2] == ["USERS", "3"]  # distinct users of the loaded sessions
    assert "09:00-10:00 UTC" in page.inner_text("#peak-hour")  # busiest per covered day


def test_last_hour_section_shows_its_freshness_and_keeps_counting(browser_page):
    """The hand-made lake's live window ends on 2019-11-01 (a replay's age): the event time with its
    date, then how long ago the newest batch was processed, kept up to date by the page's script."""
    page, _, _ = browser_page
    line = page.inner_text("#live-freshness")
    assert line.startswith(
        "data as of 2019-11-01 10:01:00 UTC (event time; replayed or late data), processed "
    )
    assert line.endswith(" days ago")
    assert page.inner_text('.tile[data-metric="live_events"]').splitlines()[:2] == [
        "EVENTS, LAST 60 MIN",
        "4",
    ]
    first = page.get_attribute("#live-ago", "data-since")
    page.wait_for_timeout(1100)  # the script rewrites the text every second from data-since
    assert page.get_attribute("#live-ago", "data-since") == first and page.inner_text("#live-ago").endswith(
        "days ago"
    )


def test_clicking_a_table_header_sorts_the_rows(browser_page):
    page, _, _ = browser_page
    header = page.locator("#segment-table th", has_text="Revenue").first
    header.click()
    ascending = page.eval_on_selector_all(
        "#segment-table tbody tr td:nth-child(7)", "cells => cells.map((c) => c.dataset.sort)"
    )
    assert [float(value) for value in ascending] == sorted(float(value) for value in ascending)
    header.click()
    descending = page.eval_on_selector_all(
        "#segment-table tbody tr td:nth-child(7)", "cells => cells.map((c) => c.dataset.sort)"
    )
    assert descending == ascending[::-1] or [float(v) for v in descending] == sorted(
        (float(v) for v in ascending), reverse=True
    )


def test_screenshot_is_saved_as_a_test_artifact(browser_page):
    page, _, _ = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "dashboard.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000


@pytest.mark.parametrize("name", list(REAL_FILES))
def test_the_dashboard_of_each_real_file_draws_every_chart_and_is_saved(
    chromium, spark, tmp_path_factory, name
):
    """The three real files (multi-category October, cosmetics October and December) through the whole
    pipeline: every chart draws marks, no JavaScript error, and the page's screenshot is saved as
    test-artifacts/dashboard-<name>.png for a person to look at."""
    warehouse = warehouse_of(spark, tmp_path_factory, name)
    page_file = Path(build_dashboard(warehouse=str(warehouse), out=str(warehouse.parent / "dashboard.html")))
    page = chromium.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".every((c) => c.querySelector('g.cartesianlayer, g.pielayer'))",
        timeout=LOAD_TIMEOUT_MS,
    )
    charts = page.evaluate(COUNT_MARKS)
    assert [chart["id"] for chart in charts if chart["marks"] == 0] == []
    assert errors == []
    assert "Events from " in page.inner_text("#coverage")
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"dashboard-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    page.close()
    assert target.stat().st_size > 10_000
