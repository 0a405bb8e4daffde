"""A side with no modelled vision or OCR figure says why in full: the table cell keeps only
short reasons, so the section states the estimator's own reason (memory, engine, platform)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.errors import InvalidRequestError
from gpuatlas.report import build_comparison
from gpuatlas.report.phrasing import render_statement
from gpuatlas.report.profiles import media

REASON = (
    "engine vllm is not modelled on Apple apple-m2-ultra-76c (its backends: cuda, rocm); "
    "engines modelled there: llama.cpp, mlx-lm"
)


def test_a_missing_vision_figure_states_the_estimators_reason(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> object:
        raise InvalidRequestError([REASON])

    monkeypatch.setattr(media, "predict_vision", refuse)
    comparison = build_comparison("a100-80gb-sxm", "rtx-4090", model="llama-3.2-1b")
    section = next(s for s in comparison.sections if s.id == "media")
    lines = [render_statement(s) for s in section.statements]
    assert f"No modelled LLaVA-1.5-7B for A100 80GB SXM4: {REASON}." in lines
    assert f"No modelled LLaVA-1.5-7B for RTX 4090: {REASON}." in lines
    assert not any(line.startswith("No modelled TrOCR") for line in lines)
