"""Every chart GPU Atlas draws, as inline SVG made on the server: no script, no CDN, readable
offline. The HTML report and the web app both draw from here.

- ``bar_chart``: horizontal bars with optional interval whiskers (web leaderboard, results).
- ``line_chart``: one line per series over dates (web price history).
- ``comparison_chart``: a report ``Chart`` — A and B side by side per label, or, for a ratio
  chart (unit "×"), diverging log-scale A ÷ B bars with their 95% intervals.
- ``curve_chart``: a report ``CurveChart`` on log-log axes, modelled bands and measured dots.

Each chart is drawn twice: a wide layout for desktops and a narrow one (labels above the bars,
a 360-unit-wide canvas) that a phone shows at about its natural size, so no text shrinks below
~10 px; the stylesheet shows one of the two (``.chart-wide`` / ``.chart-narrow``). Space for
the value text is reserved from the longest value, so the largest bar and its label are never
clipped; a ratio beyond the axis is drawn to the edge and still labelled with its value. Titles
(a figcaption) and legends (a list) are HTML: they wrap instead of being cut or overflowing.

Colours come from a ``ChartColours``: ``WEB_COLOURS`` for the web app's light pages,
``REPORT_COLOURS`` for the report's dark page. Every label passes through ``escape``; only
numbers we format ourselves enter the markup raw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from gpuatlas.report.document import Chart, CurveChart, CurveSeries
from gpuatlas.report.phrasing import format_number

PALETTE = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#4d7c0f")
CHAR_WIDTH = 7.0  # px per character of 12 px system-ui text (a generous average)
WIDE, NARROW = 720, 360
CURVE_HEIGHT = {WIDE: 360, NARROW: 280}
MAX_RATIO_SPAN = 10.0  # a ratio axis reaches at most 10x either way (log scale)


@dataclass(frozen=True)
class ChartColours:
    """Side A, side B, marks drawn over bars (whiskers), grid lines and the outline of dots."""

    a: str
    b: str
    ink: str
    grid: str
    dot_outline: str


WEB_COLOURS = ChartColours(PALETTE[0], PALETTE[1], "#111827", "#d1d5db", "#ffffff")
REPORT_COLOURS = ChartColours("#5b9cff", "#f2a541", "#e8ecf4", "#2a3550", "#0f1420")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float | None = None
    high: float | None = None
    highlight: bool = False


@dataclass(frozen=True)
class _Layout:
    width: int
    label_width: float  # 0: the label sits above its bar
    value_width: float
    row_height: int

    @property
    def left(self) -> float:
        return self.label_width + 8 if self.label_width else 8

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.value_width - 8


def _layouts(
    labels: Sequence[str], values: Sequence[str], label_width: int, rows: tuple[int, int]
) -> tuple[_Layout, _Layout]:
    """The wide and the narrow layout for these labels and value texts."""
    value_width = max((len(text) for text in values), default=1) * CHAR_WIDTH + 8
    longest_label = max((len(label) for label in labels), default=1) * CHAR_WIDTH + 8
    wide_label = min(max(longest_label, 80), label_width, WIDE / 2)
    return (
        _Layout(WIDE, wide_label, value_width, rows[0]),
        _Layout(NARROW, 0, value_width, rows[1]),
    )


# --- bars -----------------------------------------------------------------------------------


def bar_chart(
    bars: Sequence[Bar],
    unit: str,
    title: str,
    label_width: int = 240,
    colours: ChartColours = WEB_COLOURS,
) -> Markup:
    """Horizontal bars with optional interval whiskers, in a wide and a narrow layout."""
    if not bars:
        return Markup("")
    values = [f"{_fmt(bar.value)} {unit}".strip() for bar in bars]
    wide, narrow = _layouts([bar.label for bar in bars], values, label_width, (26, 40))
    return Markup(
        _figure(
            title,
            _variants(
                _bars_svg(bars, values, title, wide, colours),
                _bars_svg(bars, values, title, narrow, colours),
            ),
        )
    )


def _bars_svg(
    bars: Sequence[Bar], values: list[str], title: str, layout: _Layout, colours: ChartColours
) -> str:
    top = 4
    height = top + layout.row_height * len(bars) + 6
    peak = max(max(bar.value, bar.high or 0.0) for bar in bars) or 1.0
    parts = [_svg_open(layout.width, height, title)]
    for index, (bar, value) in enumerate(zip(bars, values, strict=True)):
        y = top + index * layout.row_height
        parts.append(_bar_row(bar, value, y, layout, peak, colours))
    parts.append("</svg>")
    return "".join(parts)


def _row_label(label: str, y: int, layout: _Layout) -> tuple[str, int]:
    """The row's label (left of the bars, or above them in the narrow layout) and the y of
    the row's first bar."""
    if layout.label_width:
        return _text(
            layout.left - 8,
            y + 16,
            _clip(label, layout.label_width),
            "bar-label",
            anchor="end",
            full=label,
        ), y + 4
    return _text(8, y + 13, _clip(label, layout.width - 16), "bar-label", full=label), y + 18


def _bar_row(
    bar: Bar, value_text: str, y: int, layout: _Layout, peak: float, colours: ChartColours
) -> str:
    label, bar_y = _row_label(bar.label, y, layout)
    scale = layout.plot_width / peak
    length = max(bar.value * scale, 1.0)
    row = [label, _rect(layout.left, bar_y, length, 16, colours.b if bar.highlight else colours.a)]
    if bar.low is not None and bar.high is not None:
        x1, x2 = layout.left + bar.low * scale, layout.left + bar.high * scale
        row.append(
            f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{bar_y + 8}" y2="{bar_y + 8}" '
            f'stroke="{colours.ink}" stroke-width="1.5"/>'
        )
    end = layout.left + max(length, (bar.high or 0.0) * scale)
    row.append(_text(end + 6, bar_y + 12, value_text, "bar-value"))
    return "".join(row)


def _rect(x: float, y: float, width: float, height: int, colour: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{height}" rx="3" '
        f'fill="{colour}" opacity="0.85"/>'
    )


# --- a report chart: A and B per label, or A ÷ B ------------------------------------------


def comparison_chart(
    chart: Chart, a_label: str, b_label: str, colours: ChartColours = REPORT_COLOURS
) -> Markup:
    """A report chart: diverging A ÷ B bars when its unit is "×", else A and B per label."""
    if chart.unit == "×":
        return ratio_chart(chart, a_label, b_label, colours)
    return paired_chart(chart, a_label, b_label, colours)


def paired_chart(
    chart: Chart, a_label: str, b_label: str, colours: ChartColours = REPORT_COLOURS
) -> Markup:
    """Per label an A bar over a B bar, on one scale from zero; empty when no value exists."""
    present = [v for v in (*chart.a_values, *chart.b_values) if v is not None]
    if not present:
        return Markup("")
    values = [f"{format_number(v)} {chart.unit}".strip() for v in present]
    wide, narrow = _layouts(chart.labels, values, 260, (36, 50))
    peak = max(present) or 1.0
    svgs = [_paired_svg(chart, layout, peak, colours) for layout in (wide, narrow)]
    legend = _legend([a_label, b_label], [colours.a, colours.b])
    return Markup(_figure(chart.title, _variants(*svgs) + legend))


def _paired_svg(chart: Chart, layout: _Layout, peak: float, colours: ChartColours) -> str:
    top = 4
    height = top + layout.row_height * len(chart.labels) + 4
    parts = [_svg_open(layout.width, height, chart.title)]
    for index, label in enumerate(chart.labels):
        text, bar_y = _row_label(label, top + index * layout.row_height, layout)
        parts.append(text)
        sides = ((chart.a_values, colours.a, 0), (chart.b_values, colours.b, 14))
        for side_values, colour, offset in sides:
            value = side_values[index] if index < len(side_values) else None
            if value is not None:
                length = max(value * layout.plot_width / peak, 1.0)
                y = bar_y + offset - 2
                parts.append(_rect(layout.left, y, length, 12, colour))
                parts.append(
                    _text(
                        layout.left + length + 6,
                        y + 10,
                        f"{format_number(value)} {chart.unit}".strip(),
                        "bar-value",
                    )
                )
    parts.append("</svg>")
    return "".join(parts)


def ratio_chart(
    chart: Chart, a_label: str, b_label: str, colours: ChartColours = REPORT_COLOURS
) -> Markup:
    """A ÷ B per label on a log scale centred on 1 (right: A has more), each ratio's 95%
    interval as a whisker; empty when no label has a ratio."""
    ratios = [v for v in chart.a_values if v is not None and v > 0]
    if not ratios:
        return Markup("")
    bounds = [v for v in (*chart.lows, *chart.highs) if v is not None and v > 0]
    widest = max(abs(math.log(r)) for r in [*ratios, *bounds])
    span = min(widest, math.log(MAX_RATIO_SPAN)) or 1.0
    values = [_ratio_text(value) for value in ratios]
    wide, narrow = _layouts(chart.labels, values, 260, (26, 40))
    svgs = [_ratio_svg(chart, layout, span, colours) for layout in (wide, narrow)]
    meaning = chart.ratio_meaning
    legend = _legend([f"{a_label} {meaning} →", f"← {b_label} {meaning}"], [colours.a, colours.b])
    return Markup(_figure(chart.title, _variants(*svgs) + legend))


def _ratio_text(value: float) -> str:
    return f"{value:.2f}×"


def _ratio_svg(chart: Chart, layout: _Layout, span: float, colours: ChartColours) -> str:
    top = 4
    height = top + layout.row_height * len(chart.labels) + 4
    center = layout.left + (layout.width - layout.left - 8) / 2
    half = (layout.width - layout.left - 8) / 2 - layout.value_width
    parts = [
        _svg_open(layout.width, height, chart.title),
        f'<line x1="{center:.1f}" x2="{center:.1f}" y1="0" y2="{height}" '
        f'stroke="{colours.grid}" stroke-dasharray="3 3"/>',
    ]
    for index, label in enumerate(chart.labels):
        text, bar_y = _row_label(label, top + index * layout.row_height, layout)
        parts.append(text)
        value = chart.a_values[index]
        if value is None or value <= 0:
            continue
        parts.append(_ratio_row(chart, index, value, bar_y, (center, half, span), colours))
    parts.append("</svg>")
    return "".join(parts)


def _ratio_x(value: float, center: float, half: float, span: float) -> float:
    """Where a ratio sits on the axis; a ratio beyond the span sits at the edge."""
    return center + max(-span, min(span, math.log(value))) / span * half


def _ratio_row(
    chart: Chart,
    index: int,
    value: float,
    y: int,
    axis: tuple[float, float, float],
    colours: ChartColours,
) -> str:
    """One ratio's bar from the centre, its interval whisker and its value just past both."""
    center, half, span = axis
    end = _ratio_x(value, center, half, span)
    interval = _interval(chart, index)
    reach = [end, *(_ratio_x(bound, center, half, span) for bound in interval or ())]
    bar = _rect(
        min(center, end), y, max(1.0, abs(end - center)), 16, colours.a if value >= 1 else colours.b
    )
    if value >= 1:
        text = _text(max(reach) + 6, y + 12, _ratio_text(value), "bar-value")
    else:
        text = _text(min(reach) - 6, y + 12, _ratio_text(value), "bar-value", anchor="end")
    if interval is None:
        return bar + text
    low, high = interval
    x1, x2 = _ratio_x(low, center, half, span), _ratio_x(high, center, half, span)
    whisker = (
        f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y + 8}" y2="{y + 8}" '
        f'stroke="{colours.ink}" stroke-width="2" stroke-linecap="round" opacity="0.85">'
        f"<title>95% interval {low:.2f}×–{high:.2f}×</title></line>"
    )
    return bar + whisker + text


def _interval(chart: Chart, index: int) -> tuple[float, float] | None:
    """The 95% interval of the label's ratio, when it has one."""
    low = chart.lows[index] if index < len(chart.lows) else None
    high = chart.highs[index] if index < len(chart.highs) else None
    if low is None or high is None or low <= 0 or high <= 0:
        return None
    return low, high


# --- curves on log-log axes -----------------------------------------------------------------


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


@dataclass(frozen=True)
class _Frame:
    """A curve chart's canvas and the plot area inside it."""

    width: int
    height: int
    left: int = 64
    right: int = 16
    top: int = 16
    bottom: int = 48


def _extent(values: list[float]) -> tuple[float, float]:
    positive = [v for v in values if v and v > 0]
    return min(positive) / 1.15, max(positive) * 1.15


def _curve_axes(chart: CurveChart, frame: _Frame) -> tuple[LogAxis, LogAxis] | None:
    xs = [x for s in chart.series for x in s.x]
    ys = [
        y
        for s in chart.series
        for y in (*s.y, *(v for v in s.y_low if v), *(v for v in s.y_high if v))
    ]
    if not [x for x in xs if x > 0] or not [y for y in ys if y > 0]:
        return None
    x_low, x_high = _extent(xs)
    y_low, y_high = _extent(ys)
    return (
        LogAxis(x_low, x_high, frame.left, frame.width - frame.right),
        LogAxis(y_low, y_high, frame.height - frame.bottom, frame.top),
    )


def _curve_grid(
    x: LogAxis, y: LogAxis, chart: CurveChart, frame: _Frame, colours: ChartColours
) -> str:
    bottom, right = frame.height - frame.bottom, frame.width - frame.right
    parts = []
    for tick in x.ticks():
        px = x(tick)
        parts.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{frame.top}" y2="{bottom}" '
            f'stroke="{colours.grid}"/>'
        )
        parts.append(_text(px, bottom + 16, format_number(tick), "axis", anchor="middle"))
    for tick in y.ticks():
        py = y(tick)
        parts.append(
            f'<line x1="{frame.left}" x2="{right}" y1="{py:.1f}" y2="{py:.1f}" '
            f'stroke="{colours.grid}"/>'
        )
        parts.append(_text(frame.left - 6, py + 4, format_number(tick), "axis", anchor="end"))
    parts.append(
        _text(
            (frame.left + right) / 2,
            frame.height - 8,
            f"{chart.x_unit} (log) →",
            "axis",
            anchor="middle",
        )
    )
    middle = (frame.top + bottom) / 2
    parts.append(
        f'<text x="14" y="{middle:.0f}" class="axis" text-anchor="middle" '
        f'transform="rotate(-90 14 {middle:.0f})">{escape(chart.y_unit)} (log) →'
        "</text>"
    )
    return "".join(parts)


def _side_colour(series: CurveSeries, colours: ChartColours) -> str:
    return colours.a if series.side == "a" else colours.b


def _band(series: CurveSeries, x: LogAxis, y: LogAxis, colours: ChartColours) -> str:
    points = [
        (px, low, high)
        for px, low, high in zip(series.x, series.y_low, series.y_high, strict=False)
        if low and high
    ]
    if len(points) < 2:
        return ""
    upper = " ".join(f"{x(px):.1f},{y(high):.1f}" for px, _, high in points)
    lower = " ".join(f"{x(px):.1f},{y(low):.1f}" for px, low, _ in reversed(points))
    return (
        f'<polygon points="{upper} {lower}" fill="{_side_colour(series, colours)}" '
        'fill-opacity="0.18" stroke="none"/>'
    )


def _curve_line(series: CurveSeries, x: LogAxis, y: LogAxis, colours: ChartColours) -> str:
    colour = _side_colour(series, colours)
    coordinates = [
        (x(px), y(py)) for px, py in zip(series.x, series.y, strict=True) if px > 0 and py > 0
    ]
    if series.measured:
        return "".join(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}" '
            f'stroke="{colours.dot_outline}"/>'
            for cx, cy in coordinates
        )
    return _polyline(coordinates, colour, width=2.5, dots=False)


def _curve_svg(chart: CurveChart, frame: _Frame, colours: ChartColours) -> str:
    axes = _curve_axes(chart, frame)
    if axes is None:
        return ""
    x, y = axes
    body = _curve_grid(x, y, chart, frame, colours)
    body += "".join(_band(s, x, y, colours) for s in chart.series if not s.measured)
    body += "".join(_curve_line(s, x, y, colours) for s in chart.series)
    return _svg_open(frame.width, frame.height, chart.title, "chart-svg curve") + body + "</svg>"


def curve_chart(chart: CurveChart, colours: ChartColours = REPORT_COLOURS) -> Markup:
    """Both sides' curves on log-log axes, modelled bands shaded and measured points as dots;
    empty when no series has a point."""
    if _curve_axes(chart, _Frame(WIDE, CURVE_HEIGHT[WIDE])) is None:
        return Markup("")
    wide = _curve_svg(chart, _Frame(WIDE, CURVE_HEIGHT[WIDE]), colours)
    narrow = _curve_svg(chart, _Frame(NARROW, CURVE_HEIGHT[NARROW], left=52, right=10), colours)
    labels = [
        f"{s.label} ({'measured' if s.measured else 'modelled, band = calibrated range'})"
        for s in chart.series
    ]
    legend = _legend(labels, [_side_colour(s, colours) for s in chart.series])
    return Markup(_figure(chart.title, _variants(wide, narrow) + legend))


# --- lines over dates ---------------------------------------------------------------------


def line_chart(series: dict[str, Sequence[tuple[str, float]]], unit: str, title: str) -> Markup:
    """One line per series over ISO dates (YYYY-MM or YYYY-MM-DD), legend below."""
    points = [(_day(day), value) for values in series.values() for day, value in values]
    if not points:
        return Markup("")
    wide = _lines_svg(series, unit, title, WIDE, 240)
    narrow = _lines_svg(series, unit, title, NARROW, 220)
    colours = [PALETTE[index % len(PALETTE)] for index in range(len(series))]
    return Markup(_figure(title, _variants(wide, narrow) + _legend(list(series), colours)))


def _lines_svg(
    series: dict[str, Sequence[tuple[str, float]]], unit: str, title: str, width: int, height: int
) -> str:
    days = [_day(day) for values in series.values() for day, _ in values]
    first, span = min(days), max(max(days) - min(days), 1)
    peak = max(value for values in series.values() for _, value in values) * 1.1 or 1.0
    left, bottom, top, right = 52, 28, 14, 14
    parts = [
        _svg_open(width, height, title),
        _axes(width - right, height - bottom, left, top, peak, unit),
    ]
    for index, values in enumerate(series.values()):
        coordinates = [
            (
                left + (_day(day) - first) / span * (width - left - right),
                height - bottom - value / peak * (height - bottom - top),
            )
            for day, value in sorted(values, key=lambda item: item[0])
        ]
        parts.append(_polyline(coordinates, PALETTE[index % len(PALETTE)]))
    parts.append(_text(left, height - 8, _iso(first), "axis"))
    parts.append(_text(width - right, height - 8, _iso(first + span), "axis", anchor="end"))
    parts.append("</svg>")
    return "".join(parts)


def _axes(right: float, y0: float, left: int, top: int, peak: float, unit: str) -> str:
    return (
        f'<line x1="{left}" x2="{right}" y1="{y0}" y2="{y0}" stroke="#9ca3af"/>'
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{y0}" stroke="#9ca3af"/>'
        + _text(left - 6, top + 10, _fmt(peak), "axis", anchor="end")
        + _text(left - 6, y0, "0", "axis", anchor="end")
        + _text(left + 6, top + 10, unit, "axis")
    )


def _polyline(
    coordinates: list[tuple[float, float]], colour: str, width: float = 2, dots: bool = True
) -> str:
    joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    line = f'<polyline points="{joined}" fill="none" stroke="{colour}" stroke-width="{width:g}"/>'
    if not dots:
        return line
    return line + "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coordinates
    )


# --- shared pieces -----------------------------------------------------------------------


def _legend(labels: Sequence[str], colours: Sequence[str]) -> str:
    items = "".join(
        f'<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" '
        f'height="10" fill="{colour}"/></svg>{escape(label)}</li>'
        for label, colour in zip(labels, colours, strict=True)
    )
    return f'<ul class="chart-legend">{items}</ul>'


def _variants(wide: str, narrow: str) -> str:
    return (
        f'<div class="chart chart-wide">{wide}</div><div class="chart chart-narrow">{narrow}</div>'
    )


def _svg_open(width: int, height: int, title: str, css: str = "chart-svg") -> str:
    return (
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    )


def _figure(title: str, body: str) -> str:
    """The chart under its title (HTML, so a long title wraps instead of being cut)."""
    return (
        f'<figure class="chart-figure"><figcaption class="chart-title">{escape(title)}'
        f"</figcaption>{body}</figure>"
    )


def _clip(text: str, width_px: float) -> str:
    """The text, cut with '…' where it would run past width_px."""
    most = max(int(width_px / CHAR_WIDTH), 4)
    return text if len(text) <= most else text[: most - 1] + "…"


def _text(
    x: float, y: float, text: str, css: str, anchor: str = "start", full: str | None = None
) -> str:
    hint = f"<title>{escape(full)}</title>" if full is not None and full != text else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">'
        f"{hint}{escape(text)}</text>"
    )


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return format_number(value)  # never scientific notation (0.0000123, not 1.23e-05)


def _day(text: str) -> int:
    parts = [int(piece) for piece in text.split("-")[:3]]
    year, month, day = (parts + [1, 1])[:3]
    return date(year, month, day).toordinal()


def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()
