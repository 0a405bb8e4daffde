"""`compare A B -w q4_k_m` with no --model: the weights are the default LLM's (they were
ignored: 'Weights assumed for llama-3.1-8b: bf16', while --json echoed q4_k_m), and a GGUF type
runs on llama.cpp on both sides, as `predict llm -w q4_k_m` does (not vLLM)."""

from __future__ import annotations

from gpuatlas.report.context import ReportOptions, make_context
from gpuatlas.report.focus import DEFAULT_MODEL, focus_engine, weights_choice


def test_weights_without_a_model_are_the_default_llm_s() -> None:
    options = ReportOptions(weights="q4_k_m")
    choice = weights_choice(options)
    assert (choice.format_id, choice.reason) == ("q4_k_m", "as requested")
    assert focus_engine(options) == "llama.cpp"


def test_an_image_model_s_weights_leave_the_llm_in_its_own_format() -> None:
    options = ReportOptions(model="flux.1-dev", weights="fp8")
    assert weights_choice(options).format_id == weights_choice(ReportOptions()).format_id
    assert weights_choice(ReportOptions(model=DEFAULT_MODEL, weights="fp8")).format_id == "fp8"


def test_a_format_any_engine_loads_keeps_each_platform_s_engine() -> None:
    assert focus_engine(ReportOptions(weights="awq-int4")) is None
    assert focus_engine(ReportOptions(weights="awq-int4", engine="sglang")) == "sglang"


def test_two_llama_cpp_platforms_compare_in_llama_cpp_s_gguf_build() -> None:
    """A Mac vs a Radeon (both on llama.cpp by default) was compared in bf16, which `predict`
    on either answers as Q4_K_M; a pair with a vLLM side keeps the checkpoint's own format."""
    both = make_context("Mac Studio M2 Ultra 192GB", "rx-7900-xtx", ReportOptions())
    assert both.options.pair_engine == "llama.cpp"
    assert weights_choice(both.options).format_id == "q4_k_m"
    mixed = make_context("rtx-4090", "rx-7900-xtx", ReportOptions())
    assert mixed.options.pair_engine is None
    assert weights_choice(mixed.options).format_id == "bf16"
    named = make_context("apple-m2-ultra-76c", "rx-7900-xtx", ReportOptions(engine="mlx-lm"))
    assert named.options.pair_engine is None  # a named engine is the user's choice
