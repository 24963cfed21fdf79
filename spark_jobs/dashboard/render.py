"""Assemble the dashboard page: one self-contained HTML file, plotly.js inlined once, no network access."""

from __future__ import annotations

import datetime as dt
import html

import plotly.io as pio
from plotly.offline import get_plotlyjs

from spark_jobs.dashboard import figures, formatting, journeys
from spark_jobs.dashboard.assets import SORT_SCRIPT, STYLE
from spark_jobs.dashboard.data import QUERIES, DashboardData
from spark_jobs.dashboard.live import live_section

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
OVERVIEW_METRICS = (
    "users",
    "sessions",
    "purchases",
    "revenue",
    "session_conversion_rate",
    "view_to_cart_rate",
    "cart_to_purchase_rate",
    "view_to_purchase_rate",
    "cart_removal_rate",
)
SESSION_METRICS = ("bounce_rate", "avg_session_seconds", "events_per_session")
TABLE_BRANDS = 100  # the sortable table lists every category and the top brands by revenue
SEGMENT_COLUMNS = (  # header, column, kind
    ("Dimension", "dimension", "text"),
    ("Segment", "segment", "text"),
    ("Viewers", "viewers", "count"),
    ("Carters", "carters", "count"),
    ("Removers", "removers", "count"),
    ("Buyers", "purchasers", "count"),
    ("Revenue (USD)", "revenue", "money"),
    ("Revenue share", "revenue_share", "rate"),
    ("View → cart", "view_to_cart_rate", "rate"),
    ("Cart → purchase", "cart_to_purchase_rate", "rate"),
    ("View → purchase", "view_to_purchase_rate", "rate"),
    ("Carters who removed", "cart_removal_rate", "rate"),
    ("Revenue rank", "revenue_rank", "count"),
    ("Conversion rank", "conversion_rank", "count"),
)
QUALITY_COLUMNS = (
    ("Batch", "batch_id", "text"),
    ("Checked at (UTC)", "checked_at", "time"),
    ("Rows read", "input_rows", "count"),
    ("Valid", "valid_rows", "count"),
    ("Duplicates removed", "duplicate_rows", "count"),
    ("Quarantined", "quarantined_rows", "count"),
    ("Duplicate rate", "duplicate_rate", "rate"),
    ("Quarantine rate", "quarantine_rate", "rate"),
)


def _e(text) -> str:
    return html.escape(str(text))


def chart(figure, div_id: str) -> str:
    body = pio.to_html(
        figure, include_plotlyjs=False, full_html=False, div_id=div_id, config=PLOTLY_CONFIG, validate=True
    )
    return f'<div class="card chart">{body}</div>'


def kpi_tiles(kpis: list[dict], metrics: tuple[str, ...]) -> str:
    """Tiles for the chosen v_dash_kpis rows: period value, then the last complete day against the one
    before (only when the view found two complete days in a row; a partial day is never compared)."""
    rows = {row["metric"]: row for row in kpis}
    tiles = []
    for metric in metrics:
        row = rows[metric]
        tiles.append(
            '<div class="tile" data-metric="{metric}"><div class="label">{label}</div>'
            '<div class="value">{period}</div>{day}</div>'.format(
                metric=_e(metric),
                label=_e(row["label"]),
                period=_e(formatting.value(row["period_value"], row["kind"])),
                day=_day_comparison(row),
            )
        )
    return '<div class="tiles">' + "".join(tiles) + "</div>"


def _day_comparison(row: dict) -> str:
    if row["last_day"] is None:
        return '<div class="day">no two complete days to compare</div>'
    change_text, change_class = formatting.change(row)
    return (
        '<div class="day">{day} <b>{last}</b> <span class="{cls}">{change}</span><br>'
        "{previous_day} {previous}</div>".format(
            day=_e(row["last_day"].strftime("%b %d")),
            last=_e(formatting.value(row["last_day_value"], row["kind"])),
            cls=change_class,
            change=_e(change_text),
            previous_day=_e(row["previous_day"].strftime("%b %d")),
            previous=_e(formatting.value(row["previous_day_value"], row["kind"])),
        )
    )


def sortable_table(rows: list[dict], columns: tuple[tuple[str, str, str], ...], table_id: str) -> str:
    head = "".join(f"<th>{_e(header)}</th>" for header, _, _ in columns)
    body = []
    for row in rows:
        cells = []
        for _, column, kind in columns:
            raw = row[column]
            shown = formatting.value(raw, kind)
            # None sorts below every number; times sort as ISO text.
            sort_key = -1 if raw is None else raw.isoformat() if kind == "time" else raw
            cells.append(f'<td data-sort="{_e(sort_key)}">{_e(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap"><table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def peak_callout(peak_hours: list[dict]) -> str:
    """v_dash_hours' busiest hour; named a peak only when every hour of the day is covered."""
    peak = figures.peak_hour(peak_hours)
    if peak is None:
        return ""
    hour = peak["event_hour"]
    span = f"{hour:02d}:00-{(hour + 1) % 24:02d}:00 UTC"
    days = peak["days_covered"]
    figures_text = (
        f"{_e(formatting.value(peak['avg_events_per_day'], 'number'))} events per covered day "
        f"({days} {'day covers' if days == 1 else 'days cover'} this hour), "
        f"{_e(formatting.value(peak['share_of_events'], 'rate'))} of all events"
    )
    covered = peak["hours_of_day_covered"]
    if covered < 24:
        return (
            f'<div class="callout" id="peak-hour">Busiest of the {covered} hours of the day the data covers: '
            f"<b>{span}</b> with {figures_text}. Not a peak hour: {24 - covered} hours of the day have no "
            "data.</div>"
        )
    return f'<div class="callout" id="peak-hour">Peak hour: <b>{span}</b> with {figures_text}.</div>'


def coverage_text(coverage: dict) -> str:
    """What the data covers: first and last event, hours with events, complete days."""
    first, last = coverage["first_event_time"], coverage["last_event_time"]
    hours, days = coverage["hours_with_events"], coverage["days_with_events"]
    text = (
        f"Events from {formatting.value(first, 'clock')} to {formatting.value(last, 'clock')}: "
        f"{hours:,} {'hour' if hours == 1 else 'hours'} with events on {days:,} {'day' if days == 1 else 'days'}"
    )
    complete = coverage["complete_days"]
    text += f", {complete:,} of them complete" if complete else ", none of them complete (00:00-23:59 UTC)"
    if not coverage["last_day_is_complete"]:
        text += f"; the last day ({coverage['last_day'].isoformat()}) is partial"
    return text + "."


def _comparison_note(kpi: dict) -> str:
    if kpi["last_day"] is None:
        return "Days are compared only when two complete days in a row are loaded; here none are."
    return (
        f"The last complete day ({kpi['last_day'].isoformat()}) is compared with the day before "
        f"({kpi['previous_day'].isoformat()})."
    )


def _period(coverage: dict) -> str:
    first, last = coverage["first_day"], coverage["last_day"]
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def _section(section_id: str, title: str, note: str, *parts: str) -> str:
    note_html = f'<p class="note">{note}</p>' if note else ""
    return f'<section id="{section_id}"><h2>{_e(title)}</h2>{note_html}{"".join(parts)}</section>'


def _grid(kind: str, *cells: str) -> str:
    return f'<div class="grid {kind}">{"".join(cells)}</div>'


def render_page(data: DashboardData, source: str, now: dt.datetime | None = None) -> str:
    kpi = data.kpis[0]
    coverage = data.coverage[0]
    month = data.segments[0]["event_month"].strftime("%Y-%m") if data.segments else "n/a"
    table_rows = [
        row for row in data.segments if row["dimension"] != "brand" or row["revenue_rank"] <= TABLE_BRANDS
    ]
    reasons = figures.quarantine_reason_figure(data.quality_detail)
    sections = [
        _section(
            "kpis",
            "Key figures",
            f"Whole period {_e(_period(coverage))}. {_e(_comparison_note(kpi))} Sessions count on the day they started; "
            "rates are shares of users (view → cart: users with a view who also carted).",
            kpi_tiles(data.kpis, OVERVIEW_METRICS),
            '<div style="height:12px"></div>',
            chart(figures.daily_trend_figure(data.daily), "chart-daily"),
        ),
        _section(
            "funnel",
            "Funnel",
            "Users and sessions that got at least as far as each stage: any event, a cart event or a purchase "
            "(cart or later), a purchase; a user's stage is the furthest any of their sessions got. "
            "Percentages: share of the previous stage that went on or dropped off, and of the stage that "
            "removed items from the cart.",
            chart(figures.funnel_figure(data.funnel), "chart-funnel"),
        ),
        _section(
            "traffic",
            "Hourly traffic",
            "Average events per covered day, by UTC hour: a day covers the hours from its first to its last "
            "event, an hour no day covers is a gap.",
            peak_callout(data.peak_hours),
            _grid(
                "wide-narrow",
                chart(figures.hourly_traffic_figure(data.hourly, data.peak_hours), "chart-hourly"),
                chart(figures.event_mix_figure(data.event_mix), "chart-event-mix"),
            ),
        ),
        _section(
            "segments",
            f"Categories and brands ({month})",
            "Top-level categories (the category_id where category_code is empty) and brands of the latest "
            f"loaded month; conversion is viewers who also bought / viewers, ranked among segments with "
            f"{figures.MIN_VIEWERS_FOR_CONVERSION}+ viewers. "
            f"Click a column header to sort (all categories, top {TABLE_BRANDS} brands by revenue).",
            _grid(
                "two",
                chart(figures.segment_figure(data.segments, "category"), "chart-categories"),
                chart(figures.segment_figure(data.segments, "brand"), "chart-brands"),
            ),
            '<div style="height:12px"></div>',
            sortable_table(table_rows, SEGMENT_COLUMNS, "segment-table"),
        ),
        _section(
            "sessions",
            "Sessions",
            "A bounce is a session with a single event.",
            kpi_tiles(data.kpis, SESSION_METRICS),
            '<div style="height:12px"></div>',
            _grid(
                "three",
                chart(
                    figures.session_breakdown_figure(
                        data.session_breakdown, "duration", "Session duration", "first to last event"
                    ),
                    "chart-session-duration",
                ),
                chart(
                    figures.session_breakdown_figure(
                        data.session_breakdown, "events", "Events per session", "events"
                    ),
                    "chart-session-events",
                ),
                chart(
                    figures.session_breakdown_figure(
                        data.session_breakdown, "furthest_stage", "Furthest stage (drop-off)", "stage"
                    ),
                    "chart-session-stage",
                ),
            ),
        ),
        journeys.section(data.journeys),
        _section(
            "quality",
            "Data quality",
            "Every input row of each batch: kept, removed as an exact duplicate, or quarantined with a reason.",
            sortable_table(data.quality_batches, QUALITY_COLUMNS, "quality-table"),
            '<div style="height:12px"></div>',
            _grid(
                "two",
                chart(figures.quality_outcome_figure(data.quality_batches), "chart-quality-outcomes"),
                chart(reasons, "chart-quality-reasons")
                if reasons
                else '<div class="card empty" id="no-quarantine">No row was quarantined.</div>',
            ),
        ),
    ]
    now = now or dt.datetime.now(dt.timezone.utc)
    sections.insert(0, live_section(data.live, data.quality_batches, now, chart))  # "" without live data
    views = ", ".join(sorted({view for view, _ in QUERIES.values()}))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clickstream dashboard {_e(_period(coverage))}</title>
<style>{STYLE}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header><h1>Clickstream dashboard</h1><p id="coverage">{_e(coverage_text(coverage))} &middot; warehouse {_e(source)}</p></header>
<main>
{"".join(sections)}
<footer>Every number on this page comes from the warehouse views {_e(views)}.</footer>
</main>
<script>{SORT_SCRIPT}</script>
</body>
</html>
"""
