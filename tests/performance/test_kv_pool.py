"""The start-up KV pool of the memory model against what vLLM logged for the same setup
(llm-d-planner's vLLM 0.19.0 sweep on an H100 80GB HBM3, gpu_memory_utilization 0.95,
max_num_batched_tokens 8192: catalog/data/measurements/kv_capacity/)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.kv_capacity import KvCapacityRow, load_kv_capacity
from gpuatlas.performance.llm.kv_capacity_check import kv_capacity_inputs, predict_kv_capacity
from gpuatlas.performance.llm.memory import runtime_overhead_gb
from gpuatlas.performance.resolve import as_system


def _row(model: str, weights: str, kv_cache: str, gpu_count: int = 1) -> KvCapacityRow:
    return next(
        r
        for r in load_kv_capacity()
        if (r.model, r.weights, r.kv_cache, r.gpu_count, r.engine_version)
        == (model, weights, kv_cache, gpu_count, "0.19.0")
    )


@pytest.mark.parametrize(
    ("model", "weights", "kv_cache", "reported"),
    [
        ("llama-3.1-8b", "bf16", "auto", 476_016),  # 58.11 GiB / 128 KiB per token
        ("llama-3.1-8b", "bf16", "fp8", 952_032),  # fp8 KV: half the bytes, twice the tokens
        ("llama-3.1-8b", "int8", "auto", 529_200),  # w8a8 weights, bf16 KV
        ("qwen2.5-7b", "bf16", "auto", 1_096_000),  # 4 KV heads: 56 KiB per token
        ("phi-4", "bf16", "auto", 241_568),
    ],
)
def test_one_gpu_pool_matches_vllm_within_two_percent(
    model: str, weights: str, kv_cache: str, reported: int
) -> None:
    row = _row(model, weights, kv_cache)
    assert row.reported_kv_tokens == pytest.approx(reported, rel=0.001)
    assert predict_kv_capacity(row).kv_tokens == pytest.approx(reported, rel=0.02)


def test_fp8_weights_keep_a_16_bit_kv_cache_under_auto() -> None:
    """RedHatAI's fp8-dynamic Qwen2.5-7B: 'auto' stores bf16 KV (1,210,304 tokens), not fp8."""
    prediction = predict_kv_capacity(_row("qwen2.5-7b", "fp8", "auto"))
    assert prediction.kv_tokens == pytest.approx(1_210_304, rel=0.02)


def test_weights_match_what_vllm_loaded() -> None:
    """'Model loading took 14.99 GiB' for Llama 3.1 8B in bf16; 7.51 GiB per GPU at TP 2."""
    assert predict_kv_capacity(_row("llama-3.1-8b", "bf16", "auto")).weights_gib == (
        pytest.approx(14.99, rel=0.01)
    )
    assert predict_kv_capacity(_row("llama-3.1-8b", "bf16", "auto", 2)).weights_gib == (
        pytest.approx(7.51, rel=0.01)
    )


@pytest.mark.parametrize(
    ("model", "weights", "gpu_count", "reported"),
    [
        ("llama-3.1-8b", "bf16", 2, 1_044_688),
        ("qwen2.5-72b", "bf16", 2, 19_920),  # 3.04 GiB left: the 1.84 GiB buffers decide it
        ("llama-3.3-70b", "fp8", 4, 708_992),
    ],
)
def test_tensor_parallel_on_nvswitch_reserves_communication_buffers(
    model: str, weights: str, gpu_count: int, reported: int
) -> None:
    """vLLM 0.19 logs ~2.1 GiB non-torch memory per H100 at TP 2-4 against 0.25 GiB at TP 1;
    without that reserve Qwen2.5-72B's pool came out 63 % too large."""
    row = _row(model, weights, "auto", gpu_count)
    assert row.reported_kv_tokens == reported
    assert predict_kv_capacity(row).kv_tokens == pytest.approx(reported, rel=0.03)


def test_the_reserve_stays_on_the_fabric_it_was_measured_on() -> None:
    """2x RTX 4090 (PCIe, no P2P): vLLM logged 0.25 GiB non-torch at TP 2 (vllm#13061); A100's
    NVLink 3 and B200's NVLink 5 are unmeasured: only the engine's own runtime is counted."""
    row = next(r for r in load_kv_capacity() if r.gpu == "rtx-4090")
    inputs = kv_capacity_inputs(row)
    assert runtime_overhead_gb(inputs, 2) == inputs.engine.cuda_context_gb
    for system in ("4x a100-80gb-sxm", "8x b200"):
        elsewhere = replace(inputs, system=as_system(system))
        assert runtime_overhead_gb(elsewhere, 4) == inputs.engine.cuda_context_gb
    on_h100 = replace(inputs, system=as_system("4x h100-sxm"))
    assert runtime_overhead_gb(on_h100, 4) == pytest.approx(inputs.engine.cuda_context_gb + 1.98)
