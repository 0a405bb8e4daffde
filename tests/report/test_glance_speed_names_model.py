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


def test_fits_my_model_answers_for_the_model_asked_about(fresh_data_dir: Path) -> None:
    runs = render_glance(build_comparison("a100-80gb-sxm", "rtx-4090", model="mistral-small3.1"))
    assert "Yes: mistral-small3.1 in q4_k_m on ollama runs on both sides (speeds below)." in runs
    # 70B in bf16 (141 GB) does not fit one 80 GB H100; in fp8 (~70 GB) it does: that side
    # shows fp8 on vLLM, and says so; the 192 GB MI300X holds bf16
    instead = render_glance(build_comparison("h100-sxm", "mi300x", model="llama-3.1-70b"))
    assert (
        "Not as asked on every side: H100 SXM5: llama-3.1-70b in bf16: it does not fit" in instead
    )
    assert "shown instead: fp8, the first format vLLM loads that fits" in instead
    refused = render_glance(
        build_comparison("h100-sxm", "mi300x", model="llama-3.1-70b", engine="vllm")
    )
    assert "No modelled LLM speed for H100 SXM5 (llama-3.1-70b in bf16 on vllm)" in refused
    assert "in fp8 it fits (pass --weights fp8)" in refused


def test_fits_my_model_says_which_side_runs_partly_on_the_cpu(fresh_data_dir: Path) -> None:
    """qwen3:32b in q4_k_m (~19 GiB of weights) at Ollama's default num_ctx does not fit a 24 GB
    RTX 4090 whole (Ollama puts part of the layers on the CPU), but fits a 32 GB RTX 5090: the
    answer was a plain 'Yes: ... runs on both sides'."""
    html = render_glance(build_comparison("rtx-4090", "rtx-5090", model="qwen3:32b"))
    fits = html.split("Fits my model?")[1].split("How fast?")[0]
    assert "Partly: qwen3:32b in q4_k_m on ollama runs on both sides, but RTX 4090 only" in fits
    assert "RTX 5090 only" not in fits and "Yes:" not in fits


def test_fits_my_model_answers_for_an_image_model(fresh_data_dir: Path) -> None:
    sdxl = render_glance(build_comparison("rtx-4090", "rtx-5090", model="sdxl"))
    assert "Yes: SDXL runs on both sides without CPU offload (speeds in the image section)." in sdxl
    flux = render_glance(build_comparison("rtx-4090", "rtx-5090", model="flux.1-dev"))
    assert "RTX 4090 runs FLUX.1 dev with CPU offload: sequential (denoiser streamed) — " in flux
    assert "enable_sequential_cpu_offload" in flux  # what a diffusers user calls
    assert "llama-3-70b" not in flux.split("How fast?")[0]
