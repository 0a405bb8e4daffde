"""Charts as inline SVG, drawn on the server: no script, no CDN, readable offline.

Every label passes through ``escape``; only numbers we format ourselves enter the markup raw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

PALETTE = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626",
           "#4d7c0f")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float | None = None
    high: float | None = None
    highlight: bool = False


def bar_chart(bars: Sequence[Bar], unit: str, title: str, label_width: int = 190) -> Markup:
    """Horizontal bars with optional interval whiskers; scales to its container's width."""
    if not bars:
        return Markup("")
    width, row_h, top = 720, 26, 30
    plot_w = width - label_width - 80
    peak = max(max(bar.value, bar.high or 0.0) for bar in bars) or 1.0
    height = top + row_h * len(bars) + 10
    parts = [_svg_open(width, height, title), _text(8, 18, title, "chart-title")]
    for index, bar in enumerate(bars):
        y = top + index * row_h
        parts.append(_bar_row(bar, y, label_width, plot_w, peak, unit))
    parts.append("</svg>")
    return _scrollable(parts)


def _scrollable(parts: list[str]) -> Markup:
    """On a phone the chart keeps a readable size and scrolls sideways inside its card."""
    return Markup('<div class="chart-scroll">' + "".join(parts) + "</div>")


def _bar_row(bar: Bar, y: int, left: int, plot_w: int, peak: float, unit: str) -> str:
    scale = plot_w / peak
    length = max(bar.value * scale, 1.0)
    colour = PALETTE[1] if bar.highlight else PALETTE[0]
    row = [
        _text(left - 8, y + 16, bar.label, "bar-label", anchor="end"),
        f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="16" rx="3" '
        f'fill="{colour}" opacity="0.85"/>',
    ]
    if bar.low is not None and bar.high is not None:
        x1, x2 = left + bar.low * scale, left + bar.high * scale
        row.append(f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y + 12}" y2="{y + 12}" '
                   'stroke="#111827" stroke-width="1.5"/>')
    end = left + max(length, (bar.high or 0.0) * scale)
    row.append(_text(end + 6, y + 16, f"{_fmt(bar.value)} {unit}", "bar-value"))
    return "".join(row)


def line_chart(
    series: dict[str, Sequence[tuple[str, float]]], unit: str, title: str
) -> Markup:
    """One line per series over ISO dates (YYYY-MM or YYYY-MM-DD)."""
    points = [(label, _day(day), value) for label, values in series.items()
              for day, value in values]
    if not points:
        return Markup("")
    width, height, left, bottom, top = 720, 260, 60, 40, 30
    first, last = min(p[1] for p in points), max(p[1] for p in points)
    span = max(last - first, 1)
    peak = max(p[2] for p in points) * 1.1 or 1.0
    parts = [_svg_open(width, height, title), _text(8, 18, title, "chart-title"),
             _axes(width, height, left, bottom, top, peak, unit)]
    for index, (label, values) in enumerate(series.items()):
        coordinates = [
            (left + (_day(day) - first) / span * (width - left - 20),
             height - bottom - value / peak * (height - bottom - top))
            for day, value in sorted(values, key=lambda item: item[0])
        ]
        parts.append(_polyline(coordinates, PALETTE[index % len(PALETTE)]))
        parts.append(_legend(index, label, width))
    parts.append(_text(left, height - 12, _iso(first), "axis"))
    parts.append(_text(width - 20, height - 12, _iso(last), "axis", anchor="end"))
    parts.append("</svg>")
    return _scrollable(parts)


def _axes(width: int, height: int, left: int, bottom: int, top: int, peak: float,
          unit: str) -> str:
    y0 = height - bottom
    return (f'<line x1="{left}" x2="{width - 20}" y1="{y0}" y2="{y0}" stroke="#9ca3af"/>'
            f'<line x1="{left}" x2="{left}" y1="{top}" y2="{y0}" stroke="#9ca3af"/>'
            + _text(left - 6, top + 10, f"{_fmt(peak)}", "axis", anchor="end")
            + _text(left - 6, y0, "0", "axis", anchor="end")
            + _text(left + 6, top + 10, unit, "axis"))


def _polyline(coordinates: list[tuple[float, float]], colour: str) -> str:
    joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'
                   for x, y in coordinates)
    return (f'<polyline points="{joined}" fill="none" stroke="{colour}" '
            f'stroke-width="2"/>{dots}')


def _legend(index: int, label: str, width: int) -> str:
    x, y = width - 250, 34 + index * 16
    colour = PALETTE[index % len(PALETTE)]
    return (f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
            + _text(x + 14, y, label, "legend"))


def _svg_open(width: int, height: int, title: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">')


def _text(x: float, y: float, text: str, css: str, anchor: str = "start") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">'
            f"{escape(text)}</text>")


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _day(text: str) -> int:
    parts = [int(piece) for piece in text.split("-")[:3]]
    year, month, day = (parts + [1, 1])[:3]
    return date(year, month, day).toordinal()


def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()
