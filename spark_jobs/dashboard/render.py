"""Assemble the dashboard page: one self-contained HTML file, plotly.js inlined once, no network access."""

from __future__ import annotations

import html

import plotly.io as pio
from plotly.offline import get_plotlyjs

from spark_jobs.dashboard import figures, formatting, journeys
from spark_jobs.dashboard.assets import SORT_SCRIPT, STYLE
from spark_jobs.dashboard.data import QUERIES, DashboardData

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
OVERVIEW_METRICS = (
    "users",
    "sessions",
    "purchases",
    "revenue",
    "session_conversion_rate",
    "view_to_cart_rate",
    "cart_to_purchase_rate",
)
SESSION_METRICS = ("bounce_rate", "avg_session_seconds", "events_per_session")
TABLE_BRANDS = 100  # the sortable table lists every category and the top brands by revenue
SEGMENT_COLUMNS = (  # header, column, kind
    ("Dimension", "dimension", "text"),
    ("Segment", "segment", "text"),
    ("Viewers", "viewers", "count"),
    ("Carters", "carters", "count"),
    ("Buyers", "purchasers", "count"),
    ("Revenue", "revenue", "money"),
    ("Revenue share", "revenue_share", "rate"),
    ("View → cart", "view_to_cart_rate", "rate"),
    ("Cart → purchase", "cart_to_purchase_rate", "rate"),
    ("View → purchase", "view_to_purchase_rate", "rate"),
    ("Revenue rank", "revenue_rank", "count"),
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
    """Tiles for the chosen v_dash_kpis rows: period value, then the last day against the day before."""
    rows = {row["metric"]: row for row in kpis}
    tiles = []
    for metric in metrics:
        row = rows[metric]
        change_text, change_class = formatting.change(row)
        tiles.append(
            '<div class="tile" data-metric="{metric}"><div class="label">{label}</div>'
            '<div class="value">{period}</div>'
            '<div class="day">last day <b>{last}</b> <span class="{cls}">{change}</span><br>'
            "previous day {previous}</div></div>".format(
                metric=_e(metric),
                label=_e(row["label"]),
                period=_e(formatting.value(row["period_value"], row["kind"])),
                last=_e(formatting.value(row["last_day_value"], row["kind"])),
                cls=change_class,
                change=_e(change_text),
                previous=_e(formatting.value(row["previous_day_value"], row["kind"])),
            )
        )
    return '<div class="tiles">' + "".join(tiles) + "</div>"


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
    peak = figures.peak_hour(peak_hours)
    if peak is None:
        return ""
    hour = peak["event_hour"]
    return (
        f'<div class="callout" id="peak-hour">Peak hour: <b>{hour:02d}:00-{(hour + 1) % 24:02d}:00 UTC</b> with '
        f"{_e(formatting.value(peak['share_of_events'], 'rate'))} of all events "
        f"({_e(formatting.value(peak['avg_events_per_day'], 'count'))} events per day on average, "
        f"{_e(formatting.value(peak['purchases'], 'count'))} purchases in the period).</div>"
    )


def _period(kpis: list[dict]) -> str:
    first, last = kpis[0]["first_day"], kpis[0]["last_day"]
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def _section(section_id: str, title: str, note: str, *parts: str) -> str:
    note_html = f'<p class="note">{note}</p>' if note else ""
    return f'<section id="{section_id}"><h2>{_e(title)}</h2>{note_html}{"".join(parts)}</section>'


def _grid(kind: str, *cells: str) -> str:
    return f'<div class="grid {kind}">{"".join(cells)}</div>'


def render_page(data: DashboardData, source: str) -> str:
    kpi = data.kpis[0]
    month = data.segments[0]["event_month"].strftime("%Y-%m") if data.segments else "n/a"
    table_rows = [
        row for row in data.segments if row["dimension"] != "brand" or row["revenue_rank"] <= TABLE_BRANDS
    ]
    reasons = figures.quarantine_reason_figure(data.quality_detail)
    sections = [
        _section(
            "kpis",
            "Key figures",
            f"Whole period {_e(_period(data.kpis))}; the last day ({_e(kpi['last_day'])}) is compared with "
            f"the day before ({_e(kpi['previous_day'])}). Sessions count on the day they started.",
            kpi_tiles(data.kpis, OVERVIEW_METRICS),
            '<div style="height:12px"></div>',
            chart(figures.daily_trend_figure(data.daily), "chart-daily"),
        ),
        _section(
            "funnel",
            "Funnel",
            "Users and sessions that got at least as far as each stage; a user's stage is the furthest any of "
            "their sessions got. Percentages: share of the previous stage that went on or dropped off.",
            chart(figures.funnel_figure(data.funnel), "chart-funnel"),
        ),
        _section(
            "traffic",
            "Hourly traffic",
            "All days of the period added up, by UTC hour.",
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
            "Top-level categories and brands of the latest loaded month; conversion is buyers / viewers. "
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
    views = ", ".join(sorted({view for view, _ in QUERIES.values()}))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clickstream dashboard {_e(_period(data.kpis))}</title>
<style>{STYLE}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header><h1>Clickstream dashboard</h1><p>{_e(_period(data.kpis))} &middot; warehouse {_e(source)}</p></header>
<main>
{"".join(sections)}
<footer>Every number on this page comes from the warehouse views {_e(views)}.</footer>
</main>
<script>{SORT_SCRIPT}</script>
</body>
</html>
"""
