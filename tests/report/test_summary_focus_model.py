"""A comparison asked about a model (`--model`) opens with that model: the format assumed and
single-user decode on both sides, or why a side has none; without --model the summary keeps
to the hardware, prices, guidance and measurements."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.report import build_comparison
from gpuatlas.report.phrasing import render_statement

from .conftest import comparison_of


def _summary(comparison: object) -> list[str]:
    return [render_statement(s) for s in comparison.summary]  # type: ignore[attr-defined]


def test_the_summary_opens_with_the_model_asked_about(fresh_data_dir: Path) -> None:
    comparison = build_comparison("a100-80gb-sxm", "rtx-4090", model="mistral-small3.1")
    summary = _summary(comparison)
    inference = next(s for s in comparison.sections if s.id == "inference")
    decode = next(s for s in inference.statements if s.words.get("what") == "Single-user decode")
    assert summary[1].startswith("Weights assumed for mistral-small3.1: q4_k_m")
    assert render_statement(decode) in summary
    assert summary.index(render_statement(decode)) < len(summary) - 3  # before the FAQ answers


def test_a_model_that_does_not_fit_one_side_says_so_in_the_summary(fresh_data_dir: Path) -> None:
    summary = _summary(
        build_comparison("rtx-3090", "rtx-5090", model="llama-3.1-70b", weights="bf16")
    )
    assert any(line.startswith("No modelled LLM speed for RTX 3090") for line in summary)


def test_without_a_model_the_summary_names_none(fresh_data_dir: Path) -> None:
    summary = _summary(comparison_of("a100-80gb-sxm", "rtx-4090"))
    assert not any(line.startswith(("Weights assumed", "Single-user decode")) for line in summary)
