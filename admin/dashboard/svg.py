"""Bar charts as inline SVG, drawn on the server (no script, no library): one row per
label, the bar's length in proportion to the largest value (or to 100 for percentages),
the value written at the bar's end. Text is escaped; the chart scales to its box."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

ROW = 42  # px per bar: the label on one line, the bar under it
BAR = 14
TRACK = 80  # percent of the chart's width; the value is written after it
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
    """`rows` are {"label", "value"}; a value of None is drawn as "—" with no bar. Widths
    are percentages of the box, so the same chart reads on a phone and on a desktop."""
    if not rows:
        return Markup('<p class="muted" id="{}">暂无数据</p>').format(chart_id)
    values = [float(r["value"]) for r in rows if r["value"] is not None]
    top = 100.0 if percent else (max(values, default=0.0) or 1.0)
    height = ROW * len(rows) + 4
    parts = [
        Markup(
            '<svg class="chart" id="{id}" role="img" aria-label="{title}" width="100%" '
            'height="{h}" xmlns="http://www.w3.org/2000/svg" font-size="13">'
        ).format(id=chart_id, title=title, h=height),
        Markup("<title>{}</title>").format(title),
    ]
    fill = PALETTE.get(colour, PALETTE["blue"])
    for index, row in enumerate(rows):
        y = 2 + index * ROW
        value = row["value"]
        shown = "—" if value is None else f"{_number(value)}{'%' if percent else unit}"
        share = 0.0 if not value else max(TRACK * float(value) / top, 0.6)
        parts.append(
            Markup(
                '<g class="bar-row" data-label="{label}" data-value="{raw}">'
                "<title>{label}：{shown}</title>"
                '<text x="0" y="{ty}" fill="#333">{label}</text>'
                '<rect x="0" y="{by}" width="{track}%" height="{bh}" rx="3" fill="#eef2f6"/>'
                '<rect class="bar" x="0" y="{by}" width="{share:.1f}%" height="{bh}" rx="3" '
                'fill="{fill}"/>'
                '<text x="{vx}%" y="{vy}" fill="#222" font-weight="600">{shown}</text></g>'
            ).format(
                label=str(row["label"]),
                raw="" if value is None else _number(value),
                shown=shown,
                ty=y + 13,
                by=y + 19,
                vy=y + 31,
                track=TRACK,
                bh=BAR,
                share=share,
                fill=fill,
                vx=TRACK + 2,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def share_rows(rows: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Bars of one percentage per row (on-time rate, satisfaction); None when no data."""
    return [{"label": r["label"], "value": r[key]} for r in rows]


__all__ = ["bar_chart", "share_rows"]
