"""Charts as inline SVG, drawn on the server: no script, no CDN, readable offline.

Each chart is drawn twice: a wide layout for desktops and a narrow one (labels above the bars,
a 360-unit-wide canvas) that a phone shows at about its natural size, so no text shrinks below
~11 px; the stylesheet shows one of the two. Space for the value text is reserved from the
longest value, so the largest bar and its label are never clipped. Titles (a figcaption) and
legends (a list) are HTML: they wrap instead of being cut or overflowing.

Every label passes through ``escape``; only numbers we format ourselves enter the markup raw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

PALETTE = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626",
           "#4d7c0f")
CHAR_WIDTH = 7.0  # px per character of 12 px system-ui text (a generous average)
WIDE, NARROW = 720, 360


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


def bar_chart(bars: Sequence[Bar], unit: str, title: str, label_width: int = 240) -> Markup:
    """Horizontal bars with optional interval whiskers, in a wide and a narrow layout."""
    if not bars:
        return Markup("")
    values = [f"{_fmt(bar.value)} {unit}".strip() for bar in bars]
    value_width = max(len(text) for text in values) * CHAR_WIDTH + 8
    longest_label = max(len(bar.label) for bar in bars) * CHAR_WIDTH + 8
    wide = _Layout(WIDE, min(max(longest_label, 80), label_width, WIDE / 2), value_width, 26)
    narrow = _Layout(NARROW, 0, value_width, 40)
    return Markup(_figure(title, _variants(_bars_svg(bars, values, title, wide),
                                           _bars_svg(bars, values, title, narrow))))


def _bars_svg(bars: Sequence[Bar], values: list[str], title: str, layout: _Layout) -> str:
    top = 4
    height = top + layout.row_height * len(bars) + 6
    peak = max(max(bar.value, bar.high or 0.0) for bar in bars) or 1.0
    parts = [_svg_open(layout.width, height, title)]
    for index, (bar, value) in enumerate(zip(bars, values, strict=True)):
        parts.append(_bar_row(bar, value, top + index * layout.row_height, layout, peak))
    parts.append("</svg>")
    return "".join(parts)


def _bar_row(bar: Bar, value_text: str, y: int, layout: _Layout, peak: float) -> str:
    scale = layout.plot_width / peak
    left = layout.left
    if layout.label_width:
        label = _text(left - 8, y + 16, _clip(bar.label, layout.label_width), "bar-label",
                      anchor="end", full=bar.label)
        bar_y = y + 4
    else:
        label = _text(8, y + 13, _clip(bar.label, layout.width - 16), "bar-label",
                      full=bar.label)
        bar_y = y + 18
    length = max(bar.value * scale, 1.0)
    colour = PALETTE[1] if bar.highlight else PALETTE[0]
    row = [label, f'<rect x="{left:.1f}" y="{bar_y}" width="{length:.1f}" height="16" rx="3" '
                  f'fill="{colour}" opacity="0.85"/>']
    if bar.low is not None and bar.high is not None:
        x1, x2 = left + bar.low * scale, left + bar.high * scale
        row.append(f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{bar_y + 8}" y2="{bar_y + 8}" '
                   'stroke="#111827" stroke-width="1.5"/>')
    end = left + max(length, (bar.high or 0.0) * scale)
    row.append(_text(end + 6, bar_y + 12, value_text, "bar-value"))
    return "".join(row)


def line_chart(
    series: dict[str, Sequence[tuple[str, float]]], unit: str, title: str
) -> Markup:
    """One line per series over ISO dates (YYYY-MM or YYYY-MM-DD), legend below."""
    points = [(_day(day), value) for values in series.values() for day, value in values]
    if not points:
        return Markup("")
    wide = _lines_svg(series, unit, title, WIDE, 240)
    narrow = _lines_svg(series, unit, title, NARROW, 220)
    return Markup(_figure(title, _variants(wide, narrow) + _legend(list(series))))


def _lines_svg(series: dict[str, Sequence[tuple[str, float]]], unit: str, title: str,
               width: int, height: int) -> str:
    days = [_day(day) for values in series.values() for day, _ in values]
    first, span = min(days), max(max(days) - min(days), 1)
    peak = max(value for values in series.values() for _, value in values) * 1.1 or 1.0
    left, bottom, top, right = 52, 28, 14, 14
    parts = [_svg_open(width, height, title),
             _axes(width - right, height - bottom, left, top, peak, unit)]
    for index, values in enumerate(series.values()):
        coordinates = [
            (left + (_day(day) - first) / span * (width - left - right),
             height - bottom - value / peak * (height - bottom - top))
            for day, value in sorted(values, key=lambda item: item[0])
        ]
        parts.append(_polyline(coordinates, PALETTE[index % len(PALETTE)]))
    parts.append(_text(left, height - 8, _iso(first), "axis"))
    parts.append(_text(width - right, height - 8, _iso(first + span), "axis", anchor="end"))
    parts.append("</svg>")
    return "".join(parts)


def _axes(right: float, y0: float, left: int, top: int, peak: float, unit: str) -> str:
    return (f'<line x1="{left}" x2="{right}" y1="{y0}" y2="{y0}" stroke="#9ca3af"/>'
            f'<line x1="{left}" x2="{left}" y1="{top}" y2="{y0}" stroke="#9ca3af"/>'
            + _text(left - 6, top + 10, _fmt(peak), "axis", anchor="end")
            + _text(left - 6, y0, "0", "axis", anchor="end")
            + _text(left + 6, top + 10, unit, "axis"))


def _polyline(coordinates: list[tuple[float, float]], colour: str) -> str:
    joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'
                   for x, y in coordinates)
    return (f'<polyline points="{joined}" fill="none" stroke="{colour}" '
            f'stroke-width="2"/>{dots}')


def _legend(labels: list[str]) -> str:
    items = "".join(
        f'<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" '
        f'height="10" fill="{PALETTE[index % len(PALETTE)]}"/></svg>{escape(label)}</li>'
        for index, label in enumerate(labels))
    return f'<ul class="chart-legend">{items}</ul>'


def _variants(wide: str, narrow: str) -> str:
    return (f'<div class="chart chart-wide">{wide}</div>'
            f'<div class="chart chart-narrow">{narrow}</div>')


def _svg_open(width: int, height: int, title: str) -> str:
    return (f'<svg class="chart-svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">')


def _figure(title: str, body: str) -> str:
    """The chart under its title (HTML, so a long title wraps instead of being cut)."""
    return (f'<figure class="chart-figure"><figcaption class="chart-title">{escape(title)}'
            f"</figcaption>{body}</figure>")


def _clip(text: str, width_px: float) -> str:
    """The text, cut with '…' where it would run past width_px."""
    most = max(int(width_px / CHAR_WIDTH), 4)
    return text if len(text) <= most else text[:most - 1] + "…"


def _text(x: float, y: float, text: str, css: str, anchor: str = "start",
          full: str | None = None) -> str:
    hint = f"<title>{escape(full)}</title>" if full is not None and full != text else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">'
            f"{hint}{escape(text)}</text>")


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
