"""The dashboard's "Journeys" section: the ordered funnel with the median time to each step, cart
abandonment by category, and the most frequent session paths (issue 14's marts, through their views).

Totals over the period are sums of the views' counts, and every rate a ratio of those sums, never an
average of daily rates; medians cannot be combined over days, so they are shown per day.
"""

from __future__ import annotations

import plotly.graph_objects as go

from spark_jobs.dashboard.figures import EVENT_COLORS, _layout, _percent

TOP_CATEGORIES = 12
# field -> the SQL that reads it from the warehouse views
QUERIES: dict[str, str] = {
    "ordered_daily": "SELECT * FROM v_journey_funnel_daily ORDER BY entry_date",
    "ordered_total": """
        SELECT MAX(window_hours) AS window_hours, SUM(entrants) AS entrants,
            SUM(reached_cart) AS reached_cart, SUM(reached_purchase) AS reached_purchase,
            SUM(reached_cart) / NULLIF(SUM(entrants), 0) AS entry_to_cart_rate,
            SUM(reached_purchase) / NULLIF(SUM(reached_cart), 0) AS cart_to_purchase_rate
        FROM v_journey_funnel_daily""",
    # the latest month: carts of several months are comparable, but one month is what the page shows
    "abandonment": f"""
        SELECT category_l1, SUM(carts) AS carts, SUM(abandoned) AS abandoned, SUM(removed) AS removed,
            SUM(abandoned_value) AS abandoned_value,
            SUM(abandoned) / NULLIF(SUM(carts), 0) AS abandonment_rate
        FROM v_journey_cart_abandonment
        WHERE cart_month = (SELECT MAX(cart_month) FROM v_journey_cart_abandonment)
        GROUP BY category_l1 ORDER BY carts DESC, category_l1 LIMIT {TOP_CATEGORIES}""",
    "paths": "SELECT * FROM v_journey_top_paths ORDER BY path_rank",
}


def _minutes(seconds) -> float | None:
    return None if seconds is None else seconds / 60


def ordered_funnel_figure(total: dict) -> go.Figure:
    """Entries -> reached cart -> reached purchase over the period, with the step rates."""
    stages = [("entered (first view of the day)", "entrants", None, "view"),
              ("reached cart", "reached_cart", total.get("entry_to_cart_rate"), "cart"),
              ("then purchase", "reached_purchase", total.get("cart_to_purchase_rate"), "purchase")]  # fmt: skip
    values = [total.get(column) or 0 for _, column, _, _ in stages]
    labels = [f"<b>{value:,}</b>" + ("" if rate is None else f"<br>{_percent(rate)} of the previous step")
              for value, (_, _, rate, _) in zip(values, stages, strict=True)]  # fmt: skip
    figure = go.Figure(
        go.Funnel(
            y=[name for name, _, _, _ in stages],
            x=values,
            text=labels,
            textinfo="text",
            textposition="outside",
            marker_color=[EVENT_COLORS[kind] for _, _, _, kind in stages],
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    window = total.get("window_hours")
    return _layout(figure, f"Ordered funnel within {window} h of the entry", showlegend=False)


def time_to_convert_figure(daily: list[dict]) -> go.Figure:
    """Median minutes from the entry to cart and to purchase, per entry day."""
    figure = go.Figure()
    days = [row["entry_date"].isoformat() for row in daily]
    for column, name, kind in (("median_seconds_to_cart", "to cart", "cart"),
                               ("median_seconds_to_purchase", "to purchase", "purchase")):  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=days,
                y=[_minutes(row[column]) for row in daily],
                name=f"median minutes {name}",
                mode="lines+markers",
                connectgaps=False,
                line_color=EVENT_COLORS[kind],
                hovertemplate="%{x}: %{y:,.1f} min<extra>" + name + "</extra>",
            )
        )
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text="minutes from the entry", rangemode="tozero")
    return _layout(figure, "Median time from the entry to each step")


def abandonment_figure(rows: list[dict]) -> go.Figure:
    """Abandonment rate by top-level category (the categories with the most carts)."""
    figure = go.Figure(
        go.Bar(
            x=[row["abandonment_rate"] for row in rows],
            y=[row["category_l1"] for row in rows],
            orientation="h",
            marker_color=EVENT_COLORS["remove_from_cart"],
            text=[f"{_percent(row['abandonment_rate'])} of {row['carts']:,}" for row in rows],
            textposition="auto",
            customdata=[[row["abandoned_value"], row["removed"]] for row in rows],
            hovertemplate="%{y}: %{x:.1%} abandoned<br>abandoned value %{customdata[0]:,.2f} USD"
            "<br>removed %{customdata[1]:,}<extra></extra>",
        )
    )
    figure.update_xaxes(tickformat=".0%", range=[0, 1])
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, "Cart abandonment by category (latest month)", height=380)


def paths_figure(paths: list[dict]) -> go.Figure:
    """The most frequent session paths: sessions per path, coloured by purchase rate."""
    figure = go.Figure(
        go.Bar(
            x=[row["sessions"] for row in paths],
            y=[row["path"] for row in paths],
            orientation="h",
            marker={
                "color": [row["purchase_rate"] or 0 for row in paths],
                "colorscale": "Greens",
                "cmin": 0,
                "cmax": 1,
                "colorbar": {"title": "purchase rate", "tickformat": ".0%"},
            },  # fmt: skip
            text=[
                f"{_percent(row['session_share'])} of sessions, {_percent(row['purchase_rate'])} buy"
                for row in paths
            ],  # fmt: skip
            textposition="auto",
            hovertemplate="%{y}: %{x:,} sessions<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", type="category")
    return _layout(
        figure, f"Top {len(paths)} session paths (first 5 steps)", height=max(360, 24 * len(paths) + 120)
    )


def section(rows: dict[str, list[dict]]) -> str:
    from spark_jobs.dashboard import render

    total = rows["ordered_total"][0] if rows["ordered_total"] else {}
    return render._section(
        "journeys",
        "Journeys",
        "Sessions end after 30 minutes without an event unless configured otherwise. An entry is a "
        "user's first view of a day; it counts as reaching cart, then purchase, only in that order and "
        "within the window. A cart is a user and product carted on a day, abandoned when that user did "
        "not buy that product within the window. Paths: event types in order, repeats collapsed.",
        render._grid(
            "two",
            render.chart(ordered_funnel_figure(total), "chart-journey-funnel"),
            render.chart(time_to_convert_figure(rows["ordered_daily"]), "chart-journey-time"),
        ),
        '<div style="height:12px"></div>',
        render._grid(
            "two",
            render.chart(abandonment_figure(rows["abandonment"]), "chart-journey-abandonment"),
            render.chart(paths_figure(rows["paths"]), "chart-journey-paths"),
        ),
    )
