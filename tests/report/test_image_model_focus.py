"""`compare A B --model sdxl` asks about an image model: the summary opens with its images per
minute, and the LLM section says which LLM its figures are for instead of 'no modelled LLM
speed … not an LLM' on both sides."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.report import build_comparison
from gpuatlas.report.phrasing import render_statement


def test_an_image_model_is_compared_as_one(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "rtx-5090", model="sdxl")
    summary = [render_statement(s) for s in comparison.summary]
    assert summary[1].startswith("SDXL images per minute (whole system) (modelled): RTX 5090")
    assert not any("not an LLM" in line or "No modelled LLM" in line for line in summary)
    inference = next(s for s in comparison.sections if s.id == "inference")
    lines = [render_statement(s) for s in inference.statements]
    assert lines[0] == (
        "sdxl is a diffusion model, not an LLM: its figures are in the image, vision and OCR "
        "section; the LLM figures here are for llama-3.1-8b."
    )
    assert lines[1].startswith("Weights assumed for llama-3.1-8b: bf16")
    assert not any(line.startswith("No modelled LLM speed") for line in lines)


def test_an_image_model_outside_the_standard_set_gets_its_own_row(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "rtx-5090", model="sd-turbo")
    media = next(s for s in comparison.sections if s.id == "media")
    table = next(t for t in media.tables if t.id == "image-generation")
    labels = [row[0].text for row in table.rows if hasattr(row[0], "text")]
    assert labels[-1].startswith("sd-turbo (512px, 1 steps")
    summary = [render_statement(s) for s in comparison.summary]
    assert summary[1].startswith("sd-turbo images per minute (whole system) (modelled)")


def test_cpu_offload_that_explains_a_gap_is_in_the_summary(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "rtx-5090", model="flux.1-dev")
    summary = [render_statement(s) for s in comparison.summary]
    flux_offload = "RTX 4090 runs FLUX.1 dev with CPU offload: sequential (denoiser streamed) — "
    stated = next(line for line in summary if line.startswith(flux_offload))
    # FLUX.1's 11.9B-parameter transformer in bf16 (2 bytes each) is 23.8 GB: more than a
    # 24 GiB card leaves beside its working memory, so it streams (the sizes are stated)
    assert "diffusers' enable_sequential_cpu_offload" in stated
    assert "the denoiser alone, 23.8 GB, >" in stated
