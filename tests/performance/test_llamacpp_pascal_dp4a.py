"""llama.cpp on NVIDIA Pascal: no tensor cores, so ggml-cuda multiplies quantised prompts with
its MMQ kernels on __dp4a (four int8 multiply-adds per lane and clock, 4x the FP32 rate) where
the GPU has DP4A (compute capability 6.1: P40, GTX 10 series), and never makes an fp16 copy of
the weights (engines.toml dp4a_families, performance/integer_dot.py). GP100 (P100, 6.0) has no
DP4A and keeps cuBLAS."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance.llm.predict import llm_runtime

CURRENT = "llama.cpp b4426"


@pytest.mark.unit
def test_p40_quantised_prompts_run_at_its_int8_dp4a_rate() -> None:
    runtime = llm_runtime("p40", "llama-2-7b", "q4_0", CURRENT)
    assert runtime.dp4a_prompt
    assert runtime.compute_precision == "int8"
    assert runtime.peak_flops == pytest.approx(47.0e12)  # datasheet INT8, ~4 x 11.76 FP32
    assert runtime.matrix_peak_flops == pytest.approx(47.0e12)


@pytest.mark.unit
def test_geforce_pascal_without_an_int8_figure_gets_four_times_fp32() -> None:
    gpu = gpu_by_id("gtx-1080-ti")
    assert gpu.fp32_tflops
    runtime = llm_runtime("gtx-1080-ti", "llama-2-7b", "q4_k_m", CURRENT)
    assert runtime.peak_flops == pytest.approx(4.0 * gpu.fp32_tflops * 1e12)


@pytest.mark.unit
def test_p100_has_no_dp4a_and_16_bit_weights_keep_float_gemms() -> None:
    p100 = llm_runtime("p100-16gb-pcie", "llama-2-7b", "q4_0", CURRENT)
    assert not p100.dp4a_prompt
    assert p100.peak_flops == pytest.approx(18.7e12)  # its packed-half2 FP16 rate
    f16 = llm_runtime("p40", "llama-2-7b", "gguf-f16", CURRENT)
    assert not f16.dp4a_prompt
    assert f16.peak_flops == pytest.approx(12.0e12)


@pytest.mark.unit
def test_2023_builds_use_mmq_on_pascal_and_cublas_on_tensor_cores() -> None:
    p40 = llm_runtime("p40", "llama-2-7b", "q4_0", "llama.cpp b1500")
    rtx = llm_runtime("rtx-3090", "llama-2-7b", "q4_0", "llama.cpp b1500")
    assert p40.dequant_bytes_per_weight_byte == 0.0  # MMQ: no fp16 copy of the weights
    assert rtx.dequant_bytes_per_weight_byte == pytest.approx(1.0 + 16.0 / 4.5)
    # MMQ's block-scale epilogue (3 FP32 instructions per 32 weights and token) on the P40 only
    share = p40.block_scale_flops_per_token / p40.shape.matmul_flops_per_token
    assert share == pytest.approx(3.0 / 32.0 * 47.0 / 12.0)
    assert rtx.block_scale_flops_per_token == 0.0


@pytest.mark.unit
def test_p40_prompt_is_about_four_times_the_fp32_estimate() -> None:
    """The compute side of a 512-token Q4_0 prompt: DP4A at 4x FP32, plus the epilogue."""
    runtime = llm_runtime("p40", "llama-2-7b", "q4_0", CURRENT)
    flops, _ = runtime.prefill_terms(512, 1)
    fp32_s = runtime.prefill_model_flops(512, 1) / 12.0e12
    dp4a_s = flops / runtime.peak_flops
    assert fp32_s / dp4a_s == pytest.approx(
        47.0 / 12.0 / (1.0 + 3.0 / 32.0 * 47.0 / 12.0), rel=0.05
    )
