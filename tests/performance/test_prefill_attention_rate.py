"""A prefill's fused attention runs in 16 bits (FP32 accumulators) or in FP8 with an FP8 KV
cache, whatever precision the weight GEMMs beside it use: its FLOPs count at that rate."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance.llm.predict import llm_runtime

MODEL = "Qwen/Qwen3-8B"


def _factor(gpu: str, weights: str, kv_cache: str = "fp16") -> float:
    return llm_runtime(gpu, MODEL, weights, "vllm 0.12.0", kv_cache).attention_rate_factor


@pytest.mark.unit
def test_nvfp4_gemms_on_an_rtx_5090_beside_16_bit_attention() -> None:
    # whitepaper: FP4 1,676 dense TFLOPS; FP16/BF16 with FP32 accumulate 209.5
    gpu = gpu_by_id("rtx-5090")
    assert gpu.fp4_dense_tflops is not None and gpu.bf16_dense_tflops is not None
    expected = gpu.fp4_dense_tflops / gpu.bf16_dense_tflops
    assert _factor("rtx-5090", "nvfp4") == pytest.approx(expected)
    assert expected == pytest.approx(8.0, rel=0.01)


@pytest.mark.unit
def test_fp8_gemms_on_an_h100_run_attention_at_bf16_or_at_fp8_with_an_fp8_cache() -> None:
    assert _factor("h100-sxm", "fp8") == pytest.approx(2.0, rel=0.01)  # 1,979 vs 989 TFLOPS
    assert _factor("h100-sxm", "fp8", "fp8") == 1.0


@pytest.mark.unit
def test_16_bit_weights_keep_one_rate() -> None:
    assert _factor("h100-sxm", "bf16") == 1.0
    assert _factor("rtx-5090", "bf16") == 1.0


@pytest.mark.unit
def test_a_long_nvfp4_prompt_takes_longer_but_mfu_counts_the_same_flops() -> None:
    runtime = llm_runtime("rtx-5090", MODEL, "nvfp4", "vllm 0.12.0")
    one_rate = replace(runtime, attention_peak_flops=0.0)
    assert one_rate.attention_rate_factor == 1.0
    assert runtime.prefill_s(32768) > 2.0 * one_rate.prefill_s(32768)
    assert runtime.prefill_model_flops(32768) == pytest.approx(one_rate.prefill_model_flops(32768))
