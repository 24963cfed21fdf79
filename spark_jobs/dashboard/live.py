"""The dashboard's "Last hour" section, from v_live_last_hour, shown when the warehouse holds live data.

Freshness reads "data as of 12:04:10 UTC, 38 s ago": the newest event time and how old it is. When the
newest event is older than the live window (a replay of 2019 data, a backfill), its age in years says
nothing, so the line gives the event time with its date and how long ago the newest batch was
processed (data_quality.checked_at) instead. A small script keeps the "ago" counting in the browser;
the page still reads right without it.
"""

from __future__ import annotations

import datetime as dt
import html

import plotly.graph_objects as go

from spark_jobs import contract
from spark_jobs.dashboard import formatting
from spark_jobs.dashboard.figures import EVENT_COLORS, _layout

LIVE_AGE = dt.timedelta(minutes=contract.LIVE_WINDOW_MINUTES)

AGO_SCRIPT = """
(function () {
  var node = document.getElementById("live-ago");
  if (!node) { return; }
  var since = Number(node.dataset.since);
  function words(seconds) {
    if (seconds < 90) { return Math.round(seconds) + " s ago"; }
    if (seconds < 5400) { return Math.round(seconds / 60) + " min ago"; }
    if (seconds < 172800) { return Math.round(seconds / 3600) + " h ago"; }
    return Math.round(seconds / 86400) + " days ago";
  }
  function tick() { node.textContent = words(Math.max(0, (Date.now() - since) / 1000)); }
  tick();
  setInterval(tick, 1000);
})();
"""


def ago(seconds: float) -> str:
    """The Python twin of AGO_SCRIPT's words(), for the page as rendered."""
    if seconds < 90:
        return f"{round(seconds)} s ago"
    if seconds < 5400:
        return f"{round(seconds / 60)} min ago"
    if seconds < 172800:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


def _utc(value: dt.datetime) -> dt.datetime:
    return (
        value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
    )


def freshness(as_of: dt.datetime, processed_at: dt.datetime | None, now: dt.datetime) -> str:
    """The freshness line as HTML; the "ago" part is a span the script updates."""
    as_of, now = _utc(as_of), _utc(now)
    if now - as_of > LIVE_AGE and processed_at is None:  # no batch record loaded: no age to give
        text = f"data as of {as_of:%Y-%m-%d %H:%M:%S} UTC (event time; replayed or late data)"
        return f'<p class="freshness" id="live-freshness">{html.escape(text)}</p>'
    if now - as_of <= LIVE_AGE:
        since = as_of
        text = f"data as of {as_of:%H:%M:%S} UTC, "
    else:
        since = _utc(processed_at) if processed_at else as_of
        text = f"data as of {as_of:%Y-%m-%d %H:%M:%S} UTC (event time; replayed or late data), processed "
    millis = int(since.timestamp() * 1000)
    seconds = (now - since).total_seconds()
    return (
        f'<p class="freshness" id="live-freshness">{html.escape(text)}'
        f'<span id="live-ago" data-since="{millis}">{html.escape(ago(seconds))}</span></p>'
    )


def _tile(metric: str, label: str, value: str, detail: str = "") -> str:
    return (
        f'<div class="tile" data-metric="{metric}"><div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div><div class="day">{detail}</div></div>'
    )


def _week_ago(rows: list[dict], column: str) -> str:
    values = [row[column] for row in rows if row[column] is not None]
    if not values:
        return "a week earlier: n/a"
    return f"a week earlier: <b>{html.escape(formatting.value(sum(values), 'count'))}</b>"


def live_tiles(rows: list[dict]) -> str:
    """Totals of the view's minutes; active users as of the newest minute."""
    newest = rows[-1]
    total = {
        column: sum(row[column] for row in rows) for column in ("events", "carts", "purchases", "revenue")
    }
    return '<div class="tiles">' + "".join(
        [
            _tile("live_events", "Events, last 60 min", formatting.value(total["events"], "count"),
                  _week_ago(rows, "week_ago_events_per_minute")),
            _tile("live_active_5m", "Active users, 5 min", formatting.value(newest["active_users_5m"], "count")),
            _tile("live_active_60m", "Active users, 60 min", formatting.value(newest["active_users_60m"], "count")),
            _tile("live_carts", "Carts", formatting.value(total["carts"], "count"),
                  _week_ago(rows, "week_ago_carts_per_minute")),
            _tile("live_purchases", "Purchases", formatting.value(total["purchases"], "count"),
                  _week_ago(rows, "week_ago_purchases_per_minute")),
            _tile("live_revenue", "Revenue", formatting.value(total["revenue"], "money")),
        ]
    ) + "</div>"  # fmt: skip


def live_figure(rows: list[dict]) -> go.Figure:
    """Events per minute (bars) and the same hour a week earlier, per minute (line), where known."""
    minutes = [row["event_minute"] for row in rows]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(x=minutes, y=[row["events"] for row in rows], name="events", marker_color=EVENT_COLORS["view"])
    )
    if any(row["week_ago_events_per_minute"] is not None for row in rows):
        figure.add_trace(
            go.Scatter(
                x=minutes,
                y=[row["week_ago_events_per_minute"] for row in rows],
                name="a week earlier (hourly average)",
                mode="lines",
                line={"color": "#9AA5B1", "dash": "dot"},
            )
        )
    figure.update_yaxes(title_text="events per minute", rangemode="tozero")
    return _layout(figure, "Events per minute, last hour (UTC)", height=300)


def live_section(rows: list[dict], quality_batches: list[dict], now: dt.datetime, chart) -> str:
    """The section's HTML, or "" when the warehouse holds no live data. `chart` is render.chart."""
    if not rows:
        return ""
    checked = [batch["checked_at"] for batch in quality_batches if batch.get("checked_at")]
    return (
        '<section id="live"><h2>Last hour</h2>'
        + freshness(rows[-1]["as_of"], max(checked) if checked else None, now)
        + '<p class="note">The 60 minutes ending with the newest event. Active users: distinct users with '
        "any event in the last 5 or 60 minutes. A week earlier: the same UTC hours seven days before, "
        "where the warehouse holds them.</p>"
        + live_tiles(rows)
        + '<div style="height:12px"></div>'
        + chart(live_figure(rows), "chart-live")
        + f"<script>{AGO_SCRIPT}</script></section>"
    )
