"""The web page's at-a-glance 'How fast?' answer names the model, format and engine its
single-user decode figures are for (the LLM table's own title)."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.report import build_comparison
from gpuatlas.report.glance import render_glance


def test_how_fast_names_what_was_modelled(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "rtx-5090", model="sdxl")
    html = render_glance(comparison)
    assert "How fast? (single-user decode of llama-3.1-8b in bf16 on vLLM, modelled)" in html
