"""Routed-expert grouped GEMMs run below the dense GEMM rate (engines.toml moe_gemm_efficiency):
their FLOPs count 1/efficiency times on the compute side of a step, dense models and the
reported MFU are unaffected."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.shape import expert_flops_per_token
from gpuatlas.performance.resolve import as_llm

H100 = "h100-sxm"


def test_expert_flops_count_the_routed_experts_a_token_uses() -> None:
    # Qwen3-30B-A3B: 48 MoE layers, 8 of 128 experts per token, gated experts of 768 x 2048:
    # 2 x 48 x 8 x (3 x 2048 x 768) = 3.62 GFLOP per token.
    assert expert_flops_per_token(as_llm("qwen3-30b-a3b")) == pytest.approx(3.624e9, rel=1e-3)
    assert expert_flops_per_token(as_llm("qwen3-8b")) == 0.0


def test_a_dense_model_is_unaffected() -> None:
    runtime = llm_runtime(H100, "qwen3-8b", "bf16", "vllm")
    assert runtime.matmul_work_per_token == runtime.shape.matmul_flops_per_token


def test_expert_flops_count_one_over_the_efficiency_in_a_prefill() -> None:
    base = llm_runtime("2x h100-sxm", "qwen3-30b-a3b", "bf16", "vllm")
    full = replace(base, engine=replace(base.engine, moe_gemm_efficiency=1.0))
    half = replace(base, engine=replace(base.engine, moe_gemm_efficiency=0.5))
    tokens = 8192
    added = half.prefill_terms(tokens, 1)[0] - full.prefill_terms(tokens, 1)[0]
    # each GPU of the TP2 pair does half the experts' FLOPs, counted twice at efficiency 0.5
    assert added == pytest.approx(tokens * base.shape.expert_flops_per_token / 2)
    assert half.prefill_model_flops(tokens) == pytest.approx(full.prefill_model_flops(tokens))
    assert half.prefill_s(tokens) > full.prefill_s(tokens)


def test_the_triton_fused_moe_engines_run_experts_below_the_dense_rate() -> None:
    for engine in ("vllm", "sglang", "vllm-rocm", "sglang-rocm"):
        assert 0.0 < resolve_engine(engine).moe_gemm_efficiency < 1.0
    assert resolve_engine("llama.cpp").moe_gemm_efficiency == 1.0
