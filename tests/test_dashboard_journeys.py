"""The Journeys section shows the journey views' rows: period totals as sums of the daily counts,
medians per day, abandonment of the latest month by category, the top paths in rank order."""

from __future__ import annotations

import pytest
from test_dashboard_figures import build_warehouse

from spark_jobs.dashboard import journeys
from spark_jobs.dashboard.data import read_dashboard_data


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    return read_dashboard_data(str(build_warehouse(tmp_path_factory.mktemp("dash_journeys")))).journeys


def test_ordered_funnel_adds_up_the_days_and_divides_the_sums(rows):
    figure = journeys.ordered_funnel_figure(rows["ordered_total"][0])
    assert list(figure.data[0].x) == [17, 6, 3]  # entrants 8 + 5 + 4, carts 4 + 0 + 2, purchases 2 + 0 + 1
    assert "35.3% of the previous step" in figure.data[0].text[1]  # 6 / 17
    assert "50.0% of the previous step" in figure.data[0].text[2]  # 3 / 6
    assert figure.layout.title.text == "Ordered funnel within 24 h of the entry"


def test_time_to_convert_shows_each_days_median_in_minutes_with_gaps_for_days_without_carts(rows):
    figure = journeys.time_to_convert_figure(rows["ordered_daily"])
    assert list(figure.data[0].x) == ["2019-10-01", "2019-10-02", "2019-11-01"]
    assert list(figure.data[0].y) == [5.0, None, 1.0]
    assert list(figure.data[1].y) == [20.0, None, 10.0]


def test_abandonment_shows_the_latest_month_by_category(rows):
    figure = journeys.abandonment_figure(rows["abandonment"])
    assert list(figure.data[0].y) == ["electronics"]
    assert list(figure.data[0].x) == [0.5]
    assert list(figure.data[0].text) == ["50.0% of 2"]


def test_paths_are_in_rank_order_with_their_purchase_rate(rows):
    figure = journeys.paths_figure(rows["paths"])
    assert list(figure.data[0].y) == ["view", "view>cart", "view>cart>purchase", "view>purchase"]
    assert list(figure.data[0].x) == [3, 1, 1, 1]
    assert list(figure.data[0].marker.color) == [0.0, 0.0, 1.0, 1.0]


def test_the_section_is_on_the_page(rows):
    html = journeys.section(rows)
    assert html.startswith('<section id="journeys"><h2>Journeys</h2>')
    for chart in (
        "chart-journey-funnel",
        "chart-journey-time",
        "chart-journey-abandonment",
        "chart-journey-paths",
    ):
        assert f'id="{chart}"' in html
