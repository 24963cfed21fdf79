"""One function per chart: view rows in, Plotly figure out.

The functions only pick, order and label the views' values; percentages printed on bars come from the
views' rate columns (Plotly's own percent options are not used, so no number is computed twice).
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
from plotly.subplots import make_subplots

EVENT_COLORS = {"view": "#4C78A8", "cart": "#F58518", "remove_from_cart": "#B279A2", "purchase": "#54A24B"}
UNIT_COLORS = {"users": "#4C78A8", "sessions": "#72B7B2"}
OUTCOME_COLORS = {"valid": "#54A24B", "duplicate": "#EECA3B", "quarantined": "#E45756"}
FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif"
STAGE_COLORS = ("#4C78A8", "#F58518", "#54A24B")  # by stage_order: entry, cart or later, purchase
TOP_SEGMENTS = 10
# v_category_brand_ranking ranks conversion only among segments seen by at least this many viewers (1
# viewer and 1 buyer is not a "best"); the figure shows the view's ranks, this number only names the floor.
MIN_VIEWERS_FOR_CONVERSION = 50
HOURS = list(range(24))


def _layout(figure: go.Figure, title: str, height: int = 360, **extra) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
        separators=".,",
        uniformtext={"minsize": 10, "mode": "show"},  # bar labels stay readable on narrow bars
        **extra,
    )
    return figure


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def day_axis(daily: list[dict]) -> list:
    """Every date from the first to the last session date: a date without a row stays a gap."""
    if not daily:
        return []
    first, last = daily[0]["session_date"], daily[-1]["session_date"]
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def daily_trend_figure(daily: list[dict]) -> go.Figure:
    """v_session_kpis: sessions (bars) and revenue (line) per session start date.

    The x axis is one category per date (one date is one labelled bar, not a bar across a time axis
    of fractions of a second); dates between the first and the last without sessions are empty
    categories, and the revenue line breaks there instead of joining distant days.
    """
    by_date = {row["session_date"]: row for row in daily}
    dates = day_axis(daily)
    labels = [date.isoformat() for date in dates]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Bar(
            x=labels,
            y=[by_date[date]["sessions"] if date in by_date else None for date in dates],
            name="sessions",
            marker_color="#9ECAE9",
            hovertemplate="%{x}: %{y:,} sessions<extra></extra>",
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=labels,
            y=[by_date[date]["revenue"] if date in by_date else None for date in dates],
            name="revenue (USD)",
            mode="lines+markers",
            connectgaps=False,
            line_color="#54A24B",
            hovertemplate="%{x}: $%{y:,.2f}<extra></extra>",
        ),
        secondary_y=True,
    )
    figure.update_xaxes(type="category", title_text="session start date (UTC)")
    figure.update_yaxes(title_text="sessions", secondary_y=False, rangemode="tozero")
    figure.update_yaxes(
        title_text="revenue (USD)", secondary_y=True, showgrid=False, rangemode="tozero", tickprefix="$"
    )
    # at least 7 day slots wide, so one or two dates are bars of a day's width, not the whole plot
    padding = max(0.0, (7 - len(dates)) / 2)
    figure.update_xaxes(range=[-0.5 - padding, len(dates) - 0.5 + padding])
    return _layout(figure, "Sessions and revenue per day", height=320)


def funnel_figure(funnel: list[dict]) -> go.Figure:
    """v_dash_funnel: one funnel for users, one for sessions, labelled with the view's rates."""
    units = list(dict.fromkeys(row["unit"] for row in funnel))
    figure = make_subplots(rows=1, cols=len(units), subplot_titles=[f"in {unit}" for unit in units])
    for column, unit in enumerate(units, start=1):
        rows = [row for row in funnel if row["unit"] == unit]
        figure.add_trace(
            go.Funnel(
                name=unit,
                y=[row["stage"] for row in rows],
                x=[row["reached"] for row in rows],
                text=[_funnel_label(row) for row in rows],
                textinfo="text",
                # wide bars hold their label; narrow ones get it beside them
                textposition=["inside" if row["share_of_entry"] > 0.5 else "outside" for row in rows],
                insidetextfont={"color": "white"},
                marker_color=[STAGE_COLORS[row["stage_order"] - 1] for row in rows],
                connector={"line": {"color": "#BBBBBB"}},
                hovertemplate="%{y}: %{x:,}<extra>" + unit + "</extra>",
            ),
            row=1,
            col=column,
        )
    figure.update_yaxes(showticklabels=True)
    return _layout(
        figure, "Funnel: any event -> cart or later -> purchase (got at least this far)", showlegend=False
    )


def _funnel_label(row: dict) -> str:
    label = f"<b>{row['reached']:,}</b>"
    if row["step_rate"] is not None:
        label += f"<br>{_percent(row['step_rate'])} went on<br>{_percent(row['drop_off_rate'])} dropped off"
    if row["removed"]:
        label += f"<br>{_percent(row['removal_rate'])} removed items"
    return label


def hourly_traffic_figure(hourly: list[dict], peak_hours: list[dict]) -> go.Figure:
    """v_dash_hourly_traffic: average events per covered day by UTC hour and event type, views on top.

    Every hour of the day is on the axis; an hour no date covers is a gap in the lines (a covered hour
    without events is a 0 of the view). The peak is marked only when all 24 hours are covered.
    """
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=["views", "carts, removals and purchases"],
    )
    for event_type in _event_types(hourly):
        by_hour = {row["event_hour"]: row for row in hourly if row["event_type"] == event_type}
        figure.add_trace(
            go.Scatter(
                x=HOURS,
                y=[by_hour[hour]["avg_events_per_day"] if hour in by_hour else None for hour in HOURS],
                customdata=[by_hour[hour]["days_covered"] if hour in by_hour else None for hour in HOURS],
                name=event_type,
                mode="lines+markers",
                connectgaps=False,
                line={"color": EVENT_COLORS.get(event_type), "width": 2},
                hovertemplate="%{x}:00 UTC: %{y:,.1f} "
                + event_type
                + " per covered day (%{customdata} days)<extra></extra>",
            ),
            row=1 if event_type == "view" else 2,
            col=1,
        )
    peak = daily_peak_hour(peak_hours)
    if peak is not None:
        figure.add_vline(x=peak["event_hour"], line_dash="dot", line_color="#E45756")
        figure.add_annotation(
            x=peak["event_hour"],
            y=0.05,
            yref="y domain",
            text=f" peak {peak['event_hour']:02d}:00 UTC",
            showarrow=False,
            font={"color": "#E45756"},
            xanchor="left",
        )
    figure.update_yaxes(rangemode="tozero", title_text="per day")
    figure.update_xaxes(tickmode="linear", dtick=2, range=[-0.5, 23.5], row=2, col=1, title_text="hour (UTC)")
    figure = _layout(figure, "Events per covered day, by hour of day and event type", height=460)
    # the legend goes under the chart: above the plot it covered the "views" panel title
    figure.update_layout(
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top"},
        margin={"b": 90},
    )
    return figure


def _event_types(rows: list[dict]) -> list[str]:
    """Event types present in the rows, in funnel order (view, cart, ..., purchase), others after."""
    known = list(EVENT_COLORS)
    present = dict.fromkeys(row["event_type"] for row in rows)
    return sorted(present, key=lambda kind: (known.index(kind) if kind in known else len(known), kind))


def peak_hour(peak_hours: list[dict]) -> dict | None:
    """v_dash_hours: the busiest covered hour per covered day (traffic_rank 1; the earliest on a tie)."""
    return next((row for row in peak_hours if row["traffic_rank"] == 1), None)


def daily_peak_hour(peak_hours: list[dict]) -> dict | None:
    """The busiest hour, only when every hour of the day is covered (else it is no peak of the day)."""
    peak = peak_hour(peak_hours)
    return peak if peak is not None and peak["hours_of_day_covered"] == 24 else None


def event_mix_figure(event_mix: list[dict]) -> go.Figure:
    """v_dash_event_mix as a donut; the slice labels are the view's share_of_events."""
    figure = go.Figure(
        go.Pie(
            labels=[row["event_type"] for row in event_mix],
            values=[row["events"] for row in event_mix],
            text=[_percent(row["share_of_events"]) for row in event_mix],
            textinfo="label+text",
            hole=0.55,
            domain={"y": [0, 0.86]},  # room for the outside labels under the title
            sort=False,
            marker={"colors": [EVENT_COLORS.get(row["event_type"]) for row in event_mix]},
            hovertemplate="%{label}: %{value:,} events<extra></extra>",
        )
    )
    return _layout(figure, "Event-type share", height=440, showlegend=False)


def top_segments(segments: list[dict], dimension: str, by: str) -> list[dict]:
    """Top rows of one dimension, by revenue_rank or (among segments with enough viewers) conversion_rank."""
    rows = [row for row in segments if row["dimension"] == dimension]
    if by == "revenue":
        return sorted(rows, key=lambda row: (row["revenue_rank"], row["segment"]))[:TOP_SEGMENTS]
    rows = [row for row in rows if row["conversion_rank"] is not None]  # the view's viewer floor
    return sorted(rows, key=lambda row: (row["conversion_rank"], row["segment"]))[:TOP_SEGMENTS]


def segment_figure(segments: list[dict], dimension: str) -> go.Figure:
    """v_category_brand_ranking for one dimension: top by revenue and top by view -> purchase conversion."""
    by_revenue = top_segments(segments, dimension, "revenue")
    by_conversion = top_segments(segments, dimension, "conversion")
    # one panel above the other: side by side, long labels ('category_id 2053013555631882655') ran
    # into the neighbouring panel's bars
    figure = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.14,
        subplot_titles=[
            "by revenue (USD)",
            f"by view → purchase ({MIN_VIEWERS_FOR_CONVERSION}+ viewers)",
        ],
    )
    figure.add_trace(
        go.Bar(
            y=[row["segment"] for row in by_revenue],
            x=[row["revenue"] for row in by_revenue],
            orientation="h",
            marker_color="#54A24B",
            text=[f"${row['revenue']:,.0f}" for row in by_revenue],
            textposition="auto",
            hovertemplate="%{y}: revenue $%{x:,.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            y=[row["segment"] for row in by_conversion],
            x=[row["view_to_purchase_rate"] for row in by_conversion],
            orientation="h",
            marker_color="#4C78A8",
            text=[_percent(row["view_to_purchase_rate"]) for row in by_conversion],
            textposition="auto",
            hovertemplate="%{y}: %{x:.2%} of viewers also bought<extra></extra>",
        ),
        row=2,
        col=1,
    )
    if not by_conversion:
        figure.add_annotation(
            text=f"no {dimension} with {MIN_VIEWERS_FOR_CONVERSION}+ viewers",
            xref="x2 domain",
            yref="y2 domain",
            x=0.5,
            y=0.5,
            showarrow=False,
            font={"color": "#616e7c"},
        )
        figure.update_xaxes(visible=False, row=2, col=1)
        figure.update_yaxes(visible=False, row=2, col=1)
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_xaxes(tickprefix="$", row=1, col=1)
    figure.update_xaxes(tickformat=".1%", row=2, col=1)
    plural = {"category": "categories", "brand": "brands"}.get(dimension, dimension + "s")
    return _layout(figure, f"Top {plural}", height=620, showlegend=False)


def session_breakdown_figure(breakdown: list[dict], measure: str, title: str, axis_title: str) -> go.Figure:
    """One measure of v_dash_session_breakdown as bars of sessions per bucket, labelled with the share."""
    rows = [row for row in breakdown if row["measure"] == measure]
    colors = (
        [STAGE_COLORS[row["bucket_order"] - 1] for row in rows] if measure == "furthest_stage" else "#72B7B2"
    )
    figure = go.Figure(
        go.Bar(
            x=[row["bucket"] for row in rows],
            y=[row["sessions"] for row in rows],
            text=[_percent(row["share_of_sessions"]) for row in rows],
            textposition="outside",
            cliponaxis=False,
            marker_color=colors,
            hovertemplate="%{x}: %{y:,} sessions<extra></extra>",
        )
    )
    figure.update_xaxes(type="category", title_text=axis_title)
    figure.update_yaxes(title_text="sessions")
    return _layout(figure, title, height=340, showlegend=False)


def quality_outcome_figure(batches: list[dict]) -> go.Figure:
    """v_data_quality_batches: per batch, input rows split into valid, duplicate and quarantined."""
    figure = go.Figure()
    for outcome, column in (
        ("valid", "valid_rows"),
        ("duplicate", "duplicate_rows"),
        ("quarantined", "quarantined_rows"),
    ):
        figure.add_trace(
            go.Bar(
                y=[row["batch_id"] for row in batches],
                x=[row[column] for row in batches],
                name=outcome,
                orientation="h",
                marker_color=OUTCOME_COLORS[outcome],
                hovertemplate="batch %{y}: %{x:,} " + outcome + " rows<extra></extra>",
            )
        )
    figure.update_yaxes(type="category", title_text="batch", automargin=True)
    figure.update_xaxes(title_text="input rows")
    return _layout(figure, "Where the input rows went", height=300, barmode="stack")


def quarantine_reason_figure(detail: list[dict]) -> go.Figure | None:
    """v_data_quality quarantined rows per batch and reason; None when nothing was quarantined."""
    rows = [row for row in detail if row["outcome"] == "quarantined" and row["row_count"] > 0]
    if not rows:
        return None
    figure = go.Figure(
        go.Bar(
            y=[f"{row['reason']} ({row['batch_id']})" for row in rows],
            x=[row["row_count"] for row in rows],
            orientation="h",
            marker_color=OUTCOME_COLORS["quarantined"],
            text=[f"{row['row_count']:,}" for row in rows],
            textposition="auto",
            hovertemplate="%{y}: %{x:,} rows<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", type="category", automargin=True)
    figure.update_xaxes(title_text="quarantined rows")
    return _layout(
        figure, "Quarantined rows by reason", height=max(240, 60 + 32 * len(rows)), showlegend=False
    )
