"""Charts of poll results, drawn on the server as inline SVG (no script, no new
dependency): horizontal bars (a mean score or a count per grid, building or option) and a
line over rounds. Text is escaped; the SVG scales to the page width (viewBox)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 640
BAR = 26
GAP = 8
LABEL = 150
COLOURS = ("#0b6bcb", "#2f9e44", "#e8590c", "#7048e8", "#c2255c", "#1098ad", "#5c940d")


def bars(items: Sequence[tuple[str, float | None, str]], *, top: float, title: str) -> Markup:
    """One bar per (label, value, note); `top` is the axis maximum (5 for scores)."""
    if not items:
        return Markup("")
    height = len(items) * (BAR + GAP) + GAP + 20
    span = WIDTH - LABEL - 90
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, note) in enumerate(items):
        y = GAP + i * (BAR + GAP)
        length = 0 if value is None or top <= 0 else max(2, span * min(value, top) / top)
        low = value is not None and top == 5 and value < 3
        colour = "#e03131" if low else COLOURS[0]
        shown = "—" if value is None else (f"{value:g}")
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + BAR * 0.7:.0f}" text-anchor="end" '
            f'font-size="14">{escape(label)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR}" rx="4" fill="{colour}"/>'
            f'<text x="{LABEL + length + 6:.1f}" y="{y + BAR * 0.7:.0f}" font-size="13">'
            f"{escape(shown)} {escape(note)}</text>"
        )
    axis_y = height - 14
    parts.append(
        f'<text x="{LABEL}" y="{axis_y + 10}" font-size="11" fill="#637381">0</text>'
        f'<text x="{LABEL + span}" y="{axis_y + 10}" font-size="11" fill="#637381" '
        f'text-anchor="end">{top:g}</text></svg>'
    )
    return Markup("".join(parts))


def line(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    top: float,
    title: str,
) -> Markup:
    """Values over rounds, one polyline per series, with a legend."""
    if not labels:
        return Markup("")
    height = 220
    left, right, upper, lower = 40, 20, 16, 44
    span_x = WIDTH - left - right
    span_y = height - upper - lower
    step = span_x / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return left + (step * i if len(labels) > 1 else span_x / 2)

    def y(value: float) -> float:
        return upper + span_y * (1 - min(value, top) / top)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{upper + span_y}" x2="{WIDTH - right}" y2="{upper + span_y}" '
        'stroke="#c4cdd5"/>',
        f'<text x="{left - 6}" y="{upper + 4}" font-size="11" text-anchor="end">{top:g}</text>',
        f'<text x="{left - 6}" y="{upper + span_y}" font-size="11" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{upper + span_y + 18}" font-size="12" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        for (px, py), v in zip(points, [v for v in values if v is not None], strict=True):
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}"/>'
                f'<text x="{px:.1f}" y="{py - 8:.1f}" font-size="11" text-anchor="middle">{v:g}</text>'
            )
        parts.append(
            f'<rect x="{left + n * 120}" y="{height - 16}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + n * 120 + 14}" y="{height - 7}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
