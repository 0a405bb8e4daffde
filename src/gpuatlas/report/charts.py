"""Inline SVG charts (no scripts, no CDN): grouped bars and diverging log-ratio bars."""

from __future__ import annotations

import math
from html import escape

from gpuatlas.report.document import Chart
from gpuatlas.report.phrasing import format_number

WIDTH = 900
ROW_HEIGHT = 26
LABEL_WIDTH = 260
A_COLOR, B_COLOR = "#5b9cff", "#f2a541"


def render_chart(chart: Chart, a_label: str, b_label: str) -> str:
    if chart.unit == "×":
        return ratio_chart(chart, a_label, b_label)
    return grouped_chart(chart, a_label, b_label)


def _label(text: str, y: float) -> str:
    short = text if len(text) <= 38 else text[:36] + "…"
    return (
        f'<text x="{LABEL_WIDTH - 8}" y="{y:.1f}" text-anchor="end" '
        f'dominant-baseline="middle"><title>{escape(text)}</title>{escape(short)}</text>'
    )


def grouped_chart(chart: Chart, a_label: str, b_label: str) -> str:
    values = [v for v in (*chart.a_values, *chart.b_values) if v is not None]
    if not values:
        return ""
    top = max(values)
    scale = (WIDTH - LABEL_WIDTH - 80) / top
    parts = []
    for index, label in enumerate(chart.labels):
        y = 10 + index * ROW_HEIGHT * 1.6
        parts.append(_label(label, y + ROW_HEIGHT * 0.55))
        for offset, value, color in (
            (0, chart.a_values[index], A_COLOR),
            (ROW_HEIGHT * 0.55, chart.b_values[index], B_COLOR),
        ):
            if value is None:
                continue
            width = max(1.0, value * scale)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + offset:.1f}" width="{width:.1f}" '
                f'height="{ROW_HEIGHT * 0.5:.1f}" rx="3" fill="{color}"/>'
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + offset + 7:.1f}" '
                f'dominant-baseline="middle">{format_number(value)} {escape(chart.unit)}'
                "</text>"
            )
    height = 20 + len(chart.labels) * ROW_HEIGHT * 1.6
    return _svg(chart, height, "".join(parts), a_label, b_label)


def ratio_chart(chart: Chart, a_label: str, b_label: str) -> str:
    ratios = [v for v in chart.a_values if v is not None and v > 0]
    if not ratios:
        return ""
    bounds = [v for v in (*chart.lows, *chart.highs) if v is not None and v > 0]
    span = min(max(abs(math.log(r)) for r in [*ratios, *bounds]), math.log(10.0)) or 1.0
    center = LABEL_WIDTH + (WIDTH - LABEL_WIDTH) / 2
    half = (WIDTH - LABEL_WIDTH) / 2 - 60
    parts = [
        f'<line x1="{center}" x2="{center}" y1="0" y2="{20 + len(chart.labels) * ROW_HEIGHT}"'
        ' stroke="#93a0b8" stroke-dasharray="3 3"/>'
    ]
    for index, (label, value) in enumerate(zip(chart.labels, chart.a_values, strict=True)):
        y = 10 + index * ROW_HEIGHT
        parts.append(_label(label, y + ROW_HEIGHT / 2 - 2))
        if value is None or value <= 0:
            continue
        length = math.log(value) / span * half
        x = center if length >= 0 else center + length
        color = A_COLOR if value >= 1 else B_COLOR
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{max(1.0, abs(length)):.1f}" '
            f'height="{ROW_HEIGHT - 10}" rx="3" fill="{color}"/>'
        )
        parts.append(_whisker(chart, index, center, half, span, y + ROW_HEIGHT / 2 - 2))
        text_x = center + length + (6 if length >= 0 else -6)
        anchor = "start" if length >= 0 else "end"
        parts.append(
            f'<text x="{text_x:.1f}" y="{y + ROW_HEIGHT / 2 - 2:.1f}" '
            f'text-anchor="{anchor}" dominant-baseline="middle">{value:.2f}×</text>'
        )
    height = 20 + len(chart.labels) * ROW_HEIGHT
    return _svg(
        chart,
        height,
        "".join(parts),
        f"{a_label} {chart.ratio_meaning} →",
        f"← {b_label} {chart.ratio_meaning}",
    )


def _whisker(chart: Chart, index: int, center: float, half: float, span: float, y: float) -> str:
    """The 95% interval of a ratio as a line across its bar (nothing when there is none)."""
    low = chart.lows[index] if index < len(chart.lows) else None
    high = chart.highs[index] if index < len(chart.highs) else None
    if low is None or high is None or low <= 0 or high <= 0:
        return ""

    def x(value: float) -> float:
        return center + max(-span, min(span, math.log(value))) / span * half

    return (
        f'<line x1="{x(low):.1f}" x2="{x(high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
        'stroke="#e8ecf4" stroke-width="2" stroke-linecap="round" opacity="0.85">'
        f"<title>95% interval {low:.2f}×–{high:.2f}×</title></line>"
    )


def _svg(chart: Chart, height: float, body: str, a_label: str, b_label: str) -> str:
    legend = (
        f'<div class="legend"><span><span class="swatch" style="background:{A_COLOR}">'
        f'</span>{escape(a_label)}</span><span><span class="swatch" '
        f'style="background:{B_COLOR}"></span>{escape(b_label)}</span></div>'
    )
    return (
        f"<figure><figcaption><strong>{escape(chart.title)}</strong></figcaption>{legend}"
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label="{escape(chart.title)}">{body}</svg></figure>'
    )
