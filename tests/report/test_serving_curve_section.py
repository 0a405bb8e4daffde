"""The serving-curve section in every format: both sides' curves, the values at 20 and 50
tok/s per user, and a stated reason when a side cannot serve the model."""

from __future__ import annotations

import json

import pytest

from gpuatlas.report import render_html, render_json, render_markdown
from gpuatlas.report.build import build_comparison


@pytest.fixture(scope="module")
def h100_vs_a100():  # type: ignore[no-untyped-def]
    return build_comparison("h100-sxm", "a100-80gb-sxm")


def test_section_has_both_curves_and_interactivity_rows(h100_vs_a100) -> None:  # type: ignore[no-untyped-def]
    section = h100_vs_a100.section("serving-curve")
    assert section.omitted is None
    (chart,) = section.curves
    assert {series.side for series in chart.series} == {"a", "b"}
    for series in chart.series:
        assert len(series.x) == len(series.y) >= 2
        assert list(series.x) == sorted(series.x, reverse=True)
    interactivity = next(t for t in section.tables if t.id == "serving-interactivity")
    labels = [row[0].text for row in interactivity.rows]  # type: ignore[union-attr]
    assert any(label.startswith("at 20 tok/s/user") for label in labels)
    assert any(label.startswith("at 50 tok/s/user") for label in labels)
    cost_50 = next(
        r for r in interactivity.rows if r[0].text == "at 50 tok/s/user: $/1M output tokens"
    )  # type: ignore[union-attr]
    for cell in cost_50[1:]:
        assert cell.value is not None and cell.unit == "USD"  # type: ignore[union-attr]
        assert cell.provenance.calibration_version and cell.provenance.as_of


def test_every_format_carries_the_curves(h100_vs_a100) -> None:  # type: ignore[no-untyped-def]
    html = render_html(h100_vs_a100)
    assert "chart-svg curve" in html and "<polyline" in html and "<polygon" in html
    assert "Serving curve points" in render_markdown(h100_vs_a100)
    document = json.loads(render_json(h100_vs_a100))
    section = next(s for s in document["sections"] if s["id"] == "serving-curve")
    assert section["curves"][0]["x_unit"] == "tok/s per user"


def test_a_side_that_cannot_hold_the_model_says_why() -> None:
    comparison = build_comparison("rtx-4090", "4x h100-sxm", model="llama-3.1-70b", weights="fp16")
    section = comparison.section("serving-curve")
    rows = next(t for t in section.tables if t.id == "serving-curve").rows
    rtx_rows = [r for r in rows if "4090" in r[0].text]  # type: ignore[union-attr]
    assert len(rtx_rows) == 1
    assert rtx_rows[0][2].value is None and rtx_rows[0][2].provenance.source  # type: ignore[union-attr]
    assert [s.side for s in section.curves[0].series] == ["b"]


def test_published_serving_runs_are_drawn_over_the_modelled_curve() -> None:
    comparison = build_comparison("rtx-4090", "a40", model="mistralai/Mistral-7B-Instruct-v0.3")
    section = comparison.section("serving-curve")
    measured = [s for s in section.curves[0].series if s.measured]
    assert [s.side for s in measured] == ["a"]  # the RTX 4090 has published vLLM runs
    (series,) = measured
    assert len(series.x) >= 3 and list(series.y) == sorted(series.y)
    table = next(t for t in section.tables if t.id == "serving-curve-measured")
    for row in table.rows:
        per_user, per_gpu = row[3], row[4]
        assert per_user.provenance.kind == "measured"  # type: ignore[union-attr]
        assert per_user.provenance.source.startswith("http")  # type: ignore[union-attr]
        assert per_gpu.value == pytest.approx(per_user.value * int(row[2].text))  # type: ignore[union-attr,operator]
    html = render_html(comparison)
    assert "<circle" in html
