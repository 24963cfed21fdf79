"""How the page prints the views' values: thousands separators, percentages, rate points, durations."""

from __future__ import annotations

# Metrics whose rise is bad news (the change arrow is coloured accordingly).
LOWER_IS_BETTER = {"bounce_rate"}


def value(number, kind: str) -> str:
    """A view's value as shown on the page; kind is v_dash_kpis.kind, or time or text."""
    if number is None:
        return "n/a"
    if kind == "count":
        return f"{number:,.0f}"
    if kind == "money":  # the REES46 prices are US dollars
        return f"${number:,.2f}"
    if kind == "rate":
        return f"{number:.2%}"
    if kind == "seconds":
        return duration(number)
    if kind == "time":
        return number.strftime("%Y-%m-%d %H:%M")
    if kind == "clock":
        return number.strftime("%Y-%m-%d %H:%M:%S UTC")
    if kind == "text":
        return str(number)
    return f"{number:,.2f}"


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {rest:02d} s"
    return f"{rest} s"


def change(row: dict) -> tuple[str, str]:
    """(text, css class) of a v_dash_kpis row's last-day change: rate points for rates, else relative."""
    if row["kind"] == "rate":
        delta = row["change_vs_previous_day"]
        text = "n/a" if delta is None else f"{delta * 100:+.2f} pp"
    else:
        delta = row["relative_change_vs_previous_day"]
        text = "n/a" if delta is None else f"{delta:+.1%}"
    if not delta:
        return text, "flat"
    good = (delta > 0) != (row["metric"] in LOWER_IS_BETTER)
    return ("▲ " if delta > 0 else "▼ ") + text, "good" if good else "bad"
