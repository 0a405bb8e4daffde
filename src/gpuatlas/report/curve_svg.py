"""Inline SVG for a CurveChart: both sides on log-log axes, each modelled curve with its band
as a shaded area, measured points as dots. No scripts, no CDN; scales to any width."""

from __future__ import annotations

import math
from html import escape

from gpuatlas.report.charts import A_COLOR, B_COLOR
from gpuatlas.report.document import CurveChart, CurveSeries
from gpuatlas.report.phrasing import format_number

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48
COLOR_OF_SIDE = {"a": A_COLOR, "b": B_COLOR}


class LogAxis:
    """Maps values on a log scale between `low` and `high` to pixels `start`..`end`."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.high = math.log10(low), math.log10(high)
        if self.high - self.low < 1e-9:
            self.low, self.high = self.low - 0.5, self.high + 0.5
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        share = (math.log10(value) - self.low) / (self.high - self.low)
        return self.start + share * (self.end - self.start)

    def ticks(self) -> list[float]:
        """Powers of ten inside the range, plus 2× and 5× when the range is under two decades."""
        first, last = math.floor(self.low), math.ceil(self.high)
        steps = (1.0, 2.0, 5.0) if self.high - self.low < 2 else (1.0,)
        found = [m * 10.0**e for e in range(first, last + 1) for m in steps]
        return [t for t in found if self.low - 1e-9 <= math.log10(t) <= self.high + 1e-9]


def _extent(values: list[float]) -> tuple[float, float]:
    positive = [v for v in values if v and v > 0]
    return min(positive) / 1.15, max(positive) * 1.15


def _axes(chart: CurveChart) -> tuple[LogAxis, LogAxis] | None:
    xs = [x for s in chart.series for x in s.x]
    ys = [y for s in chart.series for y in (*s.y, *(v for v in s.y_low if v), *(
        v for v in s.y_high if v))]
    if not [x for x in xs if x > 0] or not [y for y in ys if y > 0]:
        return None
    x_low, x_high = _extent(xs)
    y_low, y_high = _extent(ys)
    return (LogAxis(x_low, x_high, LEFT, WIDTH - RIGHT),
            LogAxis(y_low, y_high, HEIGHT - BOTTOM, TOP))


def _grid(x: LogAxis, y: LogAxis, chart: CurveChart) -> str:
    parts = []
    for tick in x.ticks():
        px = x(tick)
        parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
                     'stroke="#2a3550"/>')
        parts.append(f'<text x="{px:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                     f"{format_number(tick)}</text>")
    for tick in y.ticks():
        py = y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py:.1f}" y2="{py:.1f}" '
                     'stroke="#2a3550"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{py:.1f}" text-anchor="end" '
                     f'dominant-baseline="middle">{format_number(tick)}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 8}" '
                 f'text-anchor="middle">{escape(chart.x_unit)} (log) →</text>')
    parts.append(f'<text x="14" y="{(TOP + HEIGHT - BOTTOM) / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(TOP + HEIGHT - BOTTOM) / 2:.0f})">'
                 f"{escape(chart.y_unit)} (log) →</text>")
    return "".join(parts)


def _band(series: CurveSeries, x: LogAxis, y: LogAxis) -> str:
    points = [(px, low, high) for px, low, high in zip(series.x, series.y_low, series.y_high,
                                                       strict=False) if low and high]
    if len(points) < 2:
        return ""
    upper = " ".join(f"{x(px):.1f},{y(high):.1f}" for px, _, high in points)
    lower = " ".join(f"{x(px):.1f},{y(low):.1f}" for px, low, _ in reversed(points))
    color = COLOR_OF_SIDE[series.side]
    return f'<polygon points="{upper} {lower}" fill="{color}" fill-opacity="0.18" stroke="none"/>'


def _line(series: CurveSeries, x: LogAxis, y: LogAxis) -> str:
    color = COLOR_OF_SIDE[series.side]
    coordinates = [(x(px), y(py)) for px, py in zip(series.x, series.y, strict=True)
                   if px > 0 and py > 0]
    if series.measured:
        return "".join(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{color}" stroke="#0f1420"/>'
            for cx, cy in coordinates
        )
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coordinates)
    return f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5"/>'


def _legend(chart: CurveChart) -> str:
    items = []
    for series in chart.series:
        kind = "measured" if series.measured else "modelled, band = calibrated range"
        items.append(f'<span><span class="swatch" style="background:'
                     f'{COLOR_OF_SIDE[series.side]}"></span>{escape(series.label)} '
                     f"({kind})</span>")
    return f'<div class="legend">{"".join(items)}</div>'


def render_curve_chart(chart: CurveChart) -> str:
    """The chart as a <figure> with an SVG; empty when no series has a point."""
    axes = _axes(chart)
    if axes is None:
        return ""
    x, y = axes
    body = _grid(x, y, chart)
    body += "".join(_band(s, x, y) for s in chart.series if not s.measured)
    body += "".join(_line(s, x, y) for s in chart.series)
    return (
        f"<figure><figcaption><strong>{escape(chart.title)}</strong></figcaption>"
        f"{_legend(chart)}"
        f'<svg class="chart curve" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(chart.title)}">{body}</svg></figure>'
    )
