"""Bar charts as inline SVG, drawn on the server (no script, no library): one row per
label, the bar's length in proportion to the largest value (or to 100 for percentages),
the value written at the bar's end. Text is escaped; the chart scales to its box."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

WIDTH = 560
ROW = 30
BAR = 18
LABEL_WIDTH = 150
VALUE_WIDTH = 70
PALETTE = {"blue": "#0b6bcb", "green": "#2e8540", "red": "#a32014", "amber": "#b26a00"}


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def bar_chart(
    rows: Sequence[dict[str, Any]],
    *,
    unit: str = "",
    chart_id: str,
    title: str,
    percent: bool = False,
    colour: str = "blue",
) -> Markup:
    """`rows` are {"label", "value"}; a value of None is drawn as "—" with no bar."""
    if not rows:
        return Markup('<p class="muted" id="{}">暂无数据</p>').format(chart_id)
    values = [float(r["value"]) for r in rows if r["value"] is not None]
    top = 100.0 if percent else (max(values, default=0.0) or 1.0)
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW * len(rows) + 6
    parts = [
        Markup(
            '<svg class="chart" id="{id}" role="img" aria-label="{title}" '
            'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" '
            'xmlns="http://www.w3.org/2000/svg" font-size="14">'
        ).format(id=chart_id, title=title, w=WIDTH, h=height),
        Markup("<title>{}</title>").format(title),
    ]
    fill = PALETTE.get(colour, PALETTE["blue"])
    for index, row in enumerate(rows):
        y = 3 + index * ROW
        value = row["value"]
        shown = "—" if value is None else f"{_number(value)}{'%' if percent else unit}"
        length = 0.0 if value is None else max(track * float(value) / top, 0.0)
        label = str(row["label"])
        short = label if len(label) <= 10 else label[:9] + "…"
        parts.append(
            Markup(
                '<g class="bar-row" data-label="{label}" data-value="{raw}">'
                "<title>{label}：{shown}</title>"
                '<text x="{lx}" y="{ty}" text-anchor="end" fill="#333">{short}</text>'
                '<rect x="{bx}" y="{y}" width="{track}" height="{bh}" rx="3" fill="#eef2f6"/>'
                '<rect class="bar" x="{bx}" y="{y}" width="{length:.1f}" height="{bh}" rx="3" '
                'fill="{fill}"/>'
                '<text x="{vx}" y="{ty}" fill="#222">{shown}</text></g>'
            ).format(
                label=label,
                raw="" if value is None else _number(value),
                shown=shown,
                short=short,
                lx=LABEL_WIDTH - 8,
                ty=y + BAR - 4,
                bx=LABEL_WIDTH,
                y=y,
                track=track,
                bh=BAR,
                length=max(length, 2.0) if value else 0.0,
                fill=fill,
                vx=LABEL_WIDTH + track + 8,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def share_rows(rows: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Bars of one percentage per row (on-time rate, satisfaction); None when no data."""
    return [{"label": r["label"], "value": r[key]} for r in rows]


__all__ = ["bar_chart", "share_rows"]
