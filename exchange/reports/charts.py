"""Charts as SVG, drawn on the server: no JavaScript, nothing from a CDN.

Each chart is an image for assistive technology (``role="img"`` with a ``<title>`` and a
``<desc>``); the page puts the table with the same numbers next to it. Text is escaped.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

#: colours with enough contrast on white, told apart by more than hue (markers differ too)
PALETTE = (
    "#1f5f99", "#b4472b", "#2e7d32", "#6a3d9a", "#8a6d00",
    "#00796b", "#ad1457", "#455a64", "#5d4037", "#283593",
)  # fmt: skip
MARKERS = ("circle", "square", "diamond", "triangle")
FONT = 'font-family="sans-serif" font-size="12"'
#: characters of a bar's label on one line of the bar chart (about its width at 12 px)
LABEL_CHARS = 52


def rgb(colour: str) -> tuple[int, int, int]:
    """``#1f5f99`` as ``(31, 95, 153)`` (for the PDF, which draws the same colours)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_max(value: int) -> int:
    """A round upper end for the axis, at least 1."""
    if value <= 5:
        return max(value, 1)
    step = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return value  # pragma: no cover


def axis_tick(largest: int) -> int:
    """The step between the four whole-number lines of a y axis that reaches ``largest``."""
    return max(1, math.ceil(_nice_max(largest) / 4))


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _lines(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words where it can."""
    return textwrap.wrap(text, width, break_long_words=True) or [""]


def bar_chart(
    chart_id: str, title: str, items: Sequence[tuple[str, int]], *, width: int = 360
) -> Markup:
    """Horizontal bars, one per ``(label, value)``: the label whole above its bar (wrapped when
    long), the value at the end of the bar. Narrow enough for a phone at its natural size."""
    line, bar_height, gap, value_room = 15, 14, 10, 40
    desc = "; ".join(f"{label}: {value}" for label, value in items) or "—"
    wrapped = [_lines(label, LABEL_CHARS) for label, _value in items]
    height = gap + sum(len(lines) * line + bar_height + gap for lines in wrapped)
    height = max(height, 2 * line)
    parts = _open(chart_id, width, height, title, desc)
    largest = max((value for _, value in items), default=0)
    scale = (width - value_room) / _nice_max(largest)
    parts.append(f'<g {FONT} aria-hidden="true">')
    y = gap
    for (_label, value), lines in zip(items, wrapped, strict=True):
        parts.extend(
            f'<text x="0" y="{y + (number + 1) * line - 3}">{escape(text)}</text>'
            for number, text in enumerate(lines)
        )
        y += len(lines) * line
        bar = max(value * scale, 1 if value else 0)
        parts.append(
            f'<rect x="0" y="{y}" width="{_number(bar)}" height="{bar_height}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{_number(bar + 4)}" y="{y + bar_height - 2}">{value}</text>'
        )
        y += bar_height + gap
    if not items:
        parts.append(f'<text x="0" y="{line}">—</text>')
    parts.append("</g></svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _points(pairs: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in pairs)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return (
            f'<rect x="{_number(x - 3.5)}" y="{_number(y - 3.5)}" width="7" height="7" '
            f'fill="{colour}"/>'
        )
    if shape == "diamond":
        points = _points([(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)])
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "triangle":
        points = _points([(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)])
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="4" fill="{colour}"/>'


def legend(series_names: Sequence[str]) -> Markup:
    """The line chart's legend as a list under the chart: the names whole, wrapping as the
    screen allows, each with its line's colour and marker."""
    items = []
    for number, name in enumerate(series_names):
        colour = PALETTE[number % len(PALETTE)]
        shape = MARKERS[number % len(MARKERS)]
        items.append(
            '<li><svg xmlns="http://www.w3.org/2000/svg" width="12" height="12" '
            f'viewBox="0 0 12 12" focusable="false">{_marker(shape, 6, 6, colour)}</svg> '
            f"{escape(name)}</li>"
        )
    # the chart's description and the table beside it say the same to assistive technology
    return Markup(  # noqa: S704 - every text in it went through escape()
        f'<ul class="chart-legend" aria-hidden="true">{"".join(items)}</ul>'
    )


def line_chart(
    chart_id: str,
    title: str,
    years: Sequence[int],
    series: Mapping[str, Mapping[int, int]],
    *,
    width: int = 480,
    height: int = 260,
) -> Markup:
    """One line per series over ``years``, with a y axis from 0, and its legend below (a list,
    so long names wrap instead of being cut)."""
    left, right, top, bottom = 40, 16, 12, 28
    desc = "; ".join(
        f"{name}: " + ", ".join(f"{year} {counts.get(year, 0)}" for year in years)
        for name, counts in series.items()
    )
    parts = _open(chart_id, width, height, title, desc or "—")
    largest = max((count for counts in series.values() for count in counts.values()), default=0)
    tick = axis_tick(largest)
    top_value = tick * 4
    plot_width, plot_height = width - left - right, height - top - bottom

    def x_of(index: int) -> float:
        return left + (plot_width * index / max(len(years) - 1, 1))

    def y_of(value: int) -> float:
        return top + plot_height - plot_height * value / top_value

    parts.append(f'<g {FONT} aria-hidden="true">')
    for step in range(5):
        value = tick * step
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_number(y)}" y2="{_number(y)}" '
            f'stroke="#ccc"/><text x="{left - 6}" y="{_number(y + 4)}" '
            f'text-anchor="end">{_number(value)}</text>'
        )
    for index, year in enumerate(years):
        parts.append(
            f'<text x="{_number(x_of(index))}" y="{height - 8}" text-anchor="middle">{year}</text>'
        )
    for number, counts in enumerate(series.values()):
        colour = PALETTE[number % len(PALETTE)]
        shape = MARKERS[number % len(MARKERS)]
        points = [(x_of(i), y_of(counts.get(year, 0))) for i, year in enumerate(years)]
        path = _points(points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(_marker(shape, x, y, colour) for x, y in points)
    parts.append("</g></svg>")
    chart = Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
    return chart + legend(list(series))
