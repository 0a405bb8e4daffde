"""llama.cpp prompt processing of MoE models: one GEMM per routed expert a ubatch touches.

A ubatch of n tokens touches E·(1 − (1 − k/E)^n) of a layer's E experts, and each expert's GEMM
covers only n·k/E tokens (32 for Qwen3-30B-A3B at ubatch 512). Such a GEMM costs the engine's
expert_pass_tokens (engines.toml) on top of its tokens, capped at n when the ubatch is shorter.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime

CURRENT = "llama.cpp b6000"


def _without_passes(runtime: LlmRuntime) -> LlmRuntime:
    return replace(runtime, engine=replace(runtime.engine, expert_pass_tokens=0.0))


def test_a_ubatch_of_512_runs_one_pass_per_expert_of_every_moe_layer() -> None:
    runtime = llm_runtime("rtx-4090", "qwen3-30b-a3b", "q4_k_m", CURRENT)
    model, pass_tokens = runtime.model, runtime.engine.expert_pass_tokens
    assert pass_tokens > 0
    flops, _ = runtime.prefill_terms(512, 1)
    plain, _ = _without_passes(runtime).prefill_terms(512, 1)
    touched = 128 * (1.0 - (1.0 - 8 / 128) ** 512)  # every one of the 128 experts, nearly
    per_expert = 2.0 * model.expert_params() * pass_tokens
    assert flops - plain == pytest.approx(model.moe_layers * touched * per_expert)
    # 2,048 tokens are four ubatches of 512: four times the passes
    flops_2048, _ = runtime.prefill_terms(2048, 1)
    plain_2048, _ = _without_passes(runtime).prefill_terms(2048, 1)
    assert flops_2048 - plain_2048 == pytest.approx(4 * (flops - plain))


def test_a_short_step_pays_at_most_its_own_tokens_per_expert() -> None:
    runtime = llm_runtime("rtx-4090", "qwen3-30b-a3b", "q4_k_m", CURRENT)
    model = runtime.model
    flops, _ = runtime.prefill_terms(16, 1)
    plain, _ = _without_passes(runtime).prefill_terms(16, 1)
    touched = 128 * (1.0 - (1.0 - 8 / 128) ** 16)  # ~82 of 128 experts
    assert flops - plain == pytest.approx(
        model.moe_layers * touched * 2.0 * model.expert_params() * 16
    )


def test_dense_models_and_engines_without_expert_gemms_are_unchanged() -> None:
    dense = llm_runtime("rtx-4090", "llama-3.1-8b", "q4_k_m", CURRENT)
    assert dense.expert_pass_flops(512, 1) == 0.0
    vllm = llm_runtime("h100-sxm", "qwen3-30b-a3b", "bf16", "vllm")
    assert vllm.expert_pass_flops(512, 1) == 0.0


def test_fewer_tokens_per_expert_cost_more_per_token() -> None:
    """At ubatch 512, Qwen3-30B-A3B (128 experts, 8 used) gives each expert 32 tokens, gpt-oss-20b
    (32, 4 used) 64, Mixtral (8, 2 used) 128: the pass cost per routed token falls in that order."""
    shares = []
    pass_tokens = llm_runtime(
        "rtx-4090", "qwen3-30b-a3b", "q4_k_m", CURRENT
    ).engine.expert_pass_tokens
    for model, weights in (
        ("qwen3-30b-a3b", "q4_k_m"),
        ("gpt-oss-20b", "mxfp4"),
        ("mixtral-8x7b", "q4_k_m"),
    ):
        runtime = llm_runtime("rtx-pro-6000-blackwell", model, weights, CURRENT)
        arch = runtime.model
        routed = 2.0 * arch.expert_params() * arch.experts_per_token * arch.moe_layers * 512
        shares.append(runtime.expert_pass_flops(512, 1) / routed)
    tokens_per_expert = (32.0, 64.0, 128.0)
    for share, per_expert in zip(shares, tokens_per_expert, strict=True):
        assert share == pytest.approx(pass_tokens / per_expert, rel=0.02)
    assert shares[0] > shares[1] > shares[2]


def test_moe_against_dense_on_one_m2_ultra_as_measured() -> None:
    """ggml-org/llama.cpp PR #15616 (M2 Ultra, Metal, 2025-08-27): Qwen3-Coder-30B-A3B Q8_0
    pp512 2,045 tok/s, dense Qwen2.5-Coder-7B Q8_0 pp512 1,420 tok/s: the MoE with 3 B active
    parameters is only 1.44x faster than the 7 B dense model (2.3x fewer FLOPs per token). The
    ratio does not depend on the calibrated level (same GPU, engine and precision class)."""
    moe = llm_runtime("apple-m2-ultra-76c", "qwen3-coder-30b-a3b", "q8_0", "llama.cpp metal b6300")
    dense = llm_runtime("apple-m2-ultra-76c", "qwen2.5-coder-7b", "q8_0", "llama.cpp metal b6300")
    ratio = dense.prefill_s(512) / moe.prefill_s(512)
    assert 1.2 < ratio < 1.7
    plain_ratio = dense.prefill_s(512) / _without_passes(moe).prefill_s(512)
    assert plain_ratio > 1.9  # without the expert passes the MoE would be 2x+ faster
