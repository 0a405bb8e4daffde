"""TensorRT-LLM (and LMDeploy) size the KV pool as a share of the memory still free once
the engine has loaded (KvCacheConfig.free_gpu_memory_fraction / trtllm-bench
--kv_cache_free_gpu_mem_fraction, 0.9: 'fraction of free GPU memory'; LMDeploy's
cache_max_entry_count 0.8); vLLM's gpu_memory_utilization is a share of the whole card. The two
differ most where the weights fill most of the card (a 16-bit 70B model over two 80 GB GPUs)."""

from __future__ import annotations

import pytest

from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.memory import (
    breakdown,
    gpu_memory_gb,
    kv_per_sequence_gb,
    kv_pool_gb,
    max_sequences,
)
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.refusal import memory_inputs

SYSTEM = "2x h100-sxm"
MODEL = "meta-llama/Meta-Llama-3-70B"
CONTEXT_TOKENS = 4224  # 128 prompt + 4096 generated tokens


@pytest.mark.unit
def test_tensorrt_llm_fraction_is_of_the_free_memory() -> None:
    assert resolve_engine("tensorrt-llm").memory_fraction_of == "free"
    assert resolve_engine("tensorrt-llm-trt-engine").memory_fraction_of == "free"  # 0.8-0.21
    assert resolve_engine("vllm").memory_fraction_of == "total"
    lmdeploy = resolve_engine("lmdeploy")  # cache_max_entry_count 0.8 of the free memory
    assert (lmdeploy.memory_fraction, lmdeploy.memory_fraction_of) == (0.8, "free")


@pytest.mark.unit
def test_tensorrt_llm_pool_is_its_share_of_what_the_weights_leave() -> None:
    inputs = memory_inputs(llm_runtime(SYSTEM, MODEL, "fp16", "tensorrt-llm 0.12.0"), "fp16")
    fixed = breakdown(inputs, 2, inputs.engine.prefill_chunk_tokens, 1)
    fixed_gb = fixed.total_gb - fixed.kv_cache_gb
    expected = 0.9 * (gpu_memory_gb(inputs.system) - fixed_gb)
    assert kv_pool_gb(inputs, 2) == pytest.approx(expected)
    assert 6.0 < expected < 12.0  # ~9 GB per GPU beside 70.6 GB of fp16 weights


@pytest.mark.unit
def test_free_fraction_holds_more_sequences_than_a_share_of_the_card() -> None:
    inputs = memory_inputs(llm_runtime(SYSTEM, MODEL, "fp16", "tensorrt-llm 0.12.0"), "fp16")
    base = breakdown(inputs, 2, CONTEXT_TOKENS, 1)
    fixed_gb = base.total_gb - base.kv_cache_gb
    per_sequence = kv_per_sequence_gb(inputs, 2, CONTEXT_TOKENS)
    share_of_card = int((0.9 * gpu_memory_gb(inputs.system) - fixed_gb) // per_sequence)
    share_of_free = max_sequences(inputs, 2, CONTEXT_TOKENS)
    assert share_of_free > 2 * share_of_card
    # at least the free share over (KV + logits) of one sequence, at most over KV alone
    room = 0.9 * (gpu_memory_gb(inputs.system) - fixed_gb)
    assert share_of_free <= room // per_sequence
    assert share_of_free >= room // (per_sequence + 0.01) - 1


@pytest.mark.unit
def test_vllm_pool_is_its_share_of_the_card_less_the_rest() -> None:
    inputs = memory_inputs(llm_runtime("1x h100-sxm", "llama-3.1-8b", "bf16", "vllm"), "fp16")
    fixed = breakdown(inputs, 1, inputs.engine.prefill_chunk_tokens, 1)
    expected = inputs.engine.memory_fraction * gpu_memory_gb(inputs.system) - (
        fixed.total_gb - fixed.kv_cache_gb
    )
    assert kv_pool_gb(inputs, 1) == pytest.approx(expected)
