"""The one chart module: every chart in a wide and a narrow drawing, nothing past the canvas."""

from __future__ import annotations

import html as markup
import math
import re

from gpuatlas.report.document import Chart, CurveChart, CurveSeries
from gpuatlas.report.svg_charts import (
    CHAR_WIDTH,
    NARROW,
    WIDE,
    Bar,
    bar_chart,
    comparison_chart,
    curve_chart,
)

SVG = re.compile(r'<svg class="(chart-svg[^"]*)" viewBox="0 0 (\d+) (\d+)"(.*?)</svg>', re.S)
TEXT = re.compile(
    r'<text x="([\d.-]+)" y="[\d.-]+" class="[^"]+" text-anchor="(\w+)">'
    r"(?:<title>.*?</title>)?([^<]*)</text>"
)
RECT = re.compile(r'<rect x="([\d.-]+)" y="[\d.-]+" width="([\d.-]+)"')


def drawings(html: str) -> list[tuple[int, int, str]]:
    return [(int(w), int(h), body) for _, w, h, body in SVG.findall(html)]


def assert_inside(html: str) -> None:
    """Every bar and every text (at CHAR_WIDTH per character) lies inside its canvas."""
    for width, _, body in drawings(html):
        for x, length in RECT.findall(body):
            assert float(x) >= 0 and float(x) + float(length) <= width + 0.1, (x, length, width)
        for x, anchor, text in TEXT.findall(body):
            extent = len(markup.unescape(text)) * CHAR_WIDTH
            start = {"start": float(x), "end": float(x) - extent, "middle": float(x) - extent / 2}[
                anchor
            ]
            assert start >= -0.1 and start + extent <= width + 0.1, (text, x, anchor, width)


def hardware_chart() -> Chart:
    return Chart(
        "specs",
        "Datasheet",
        "TFLOPS",
        ("FP16 tensor, dense", "FP8 tensor, dense"),
        (989.5, 1979.0),
        (165.2, None),
    )


def test_paired_bars_keep_the_largest_value_and_its_text_inside() -> None:
    html = comparison_chart(hardware_chart(), "H100 SXM5", "RTX 4090")
    assert [width for width, _, _ in drawings(html)] == [WIDE, NARROW]
    assert html.count("1,979 TFLOPS") == 2  # in each drawing, B's missing value drawn nowhere
    assert html.count("<rect") == 2 * 3 + 2  # three bars per drawing, two legend swatches
    assert_inside(html)


def test_the_largest_bar_spans_the_plot_and_the_others_scale_with_it() -> None:
    (_, _, wide), _ = drawings(comparison_chart(hardware_chart(), "A", "B"))
    widths = [float(length) for _, length in RECT.findall(wide)]
    assert math.isclose(widths[0] / widths[2], 989.5 / 1979.0, rel_tol=1e-3)
    assert math.isclose(widths[1] / widths[2], 165.2 / 1979.0, rel_tol=1e-3)


def test_ratios_diverge_from_one_and_a_ratio_past_the_axis_is_drawn_to_the_edge() -> None:
    chart = Chart(
        "r",
        "A ÷ B",
        "×",
        ("decode", "prefill", "image"),
        (2.0, 0.5, 40.0),
        (1.0, 1.0, 1.0),
        lows=(1.8, 0.45, None),
        highs=(2.2, 0.56, None),
    )
    html = comparison_chart(chart, "A", "B")
    assert "40.00×" in html and "0.50×" in html and "95% interval 1.80×–2.20×" in html
    assert_inside(html)
    (_, _, wide), _ = drawings(html)
    (x_a, w_a), (x_b, w_b), (x_c, w_c) = [(float(x), float(w)) for x, w in RECT.findall(wide)]
    assert math.isclose(w_a, w_b, rel_tol=1e-3)  # 2× and 1/2× are equally long on a log axis
    assert math.isclose(x_a, x_b + w_b, abs_tol=0.2)  # one bar leaves the centre rightwards
    assert w_c > w_a  # 40× reaches the edge (the axis ends at 10×) and stays on the canvas
    whisker_end = max(float(x) for x in re.findall(r'<line x1="[\d.]+" x2="([\d.]+)"', wide))
    value_x = next(float(x) for x, _, text in TEXT.findall(wide) if text == "2.00×")
    assert value_x > whisker_end  # the value is written past its interval, never across it


def test_bars_with_whiskers_reserve_room_for_the_interval_and_value() -> None:
    bars = [Bar("RTX 4090 & co", 100.0, 90.0, 130.0), Bar("A100", 80.0, highlight=True)]
    html = bar_chart(bars, "tok/s", "Speed <test>")
    assert "RTX 4090 &amp; co" in html and "Speed &lt;test&gt;" in html
    assert_inside(html)


def test_curves_are_drawn_on_both_canvases_with_bands_and_dots() -> None:
    modelled = CurveSeries(
        "a",
        "H100 modelled",
        False,
        (1.0, 10.0, 100.0),
        (900.0, 500.0, 80.0),
        (800.0, 450.0, 70.0),
        (1000.0, 560.0, 90.0),
    )
    measured = CurveSeries("b", "A100 measured", True, (5.0, 50.0), (300.0, 60.0))
    html = curve_chart(
        CurveChart("c", "Serving curve", "tok/s per user", "tok/s per GPU", (modelled, measured))
    )
    assert [w for w, _, _ in drawings(html)] == [WIDE, NARROW]
    assert html.count("<polygon") == 2 and html.count("<circle") == 4
    assert "A100 measured (measured)" in html


def test_charts_without_values_draw_nothing() -> None:
    empty = Chart("e", "none", "GB", ("a",), (None,), (None,))
    assert comparison_chart(empty, "A", "B") == ""
    assert bar_chart([], "x", "t") == ""
    assert curve_chart(CurveChart("c", "t", "x", "y", ())) == ""
