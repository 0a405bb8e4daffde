"""llama.cpp's MMQ prompt kernels apply each 32-weight block's float scales on the FP32 ALUs
(engines.toml block_scale_ops: ggml-cuda/mmq.cuh ends every int8 block product with
sum += (float) C * dA * dB, 3 instructions per block and token), so a quantised prompt costs
extra compute where the matrix rate far exceeds the FP32 rate (A100, H100) and little on
GeForce cards."""

from __future__ import annotations

import pytest

from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime

CURRENT = "llama.cpp b4426"


def _issue_share(runtime: LlmRuntime) -> float:
    """Block-scale FLOP-equivalents per matmul FLOP the code's count gives: 3 instructions per
    32 weights and token, an instruction half of a 2-FLOP FMA, at the FP32 rate."""
    fp32 = runtime.system.gpu.fp32_tflops
    assert fp32
    return 3.0 / 32.0 * runtime.peak_flops / (fp32 * 1e12)


@pytest.mark.unit
def test_the_mmq_builds_count_three_instructions_per_block_and_token() -> None:
    assert engine_profile("llama.cpp", version="b4426").block_scale_ops == 3.0
    assert resolve_engine("llama.cpp").block_scale_ops == 3.0
    assert resolve_engine("llama.cpp rocm").block_scale_ops == 3.0
    # Ollama runs ggml-cuda's (and HIP's) MMQ underneath; not on its Metal and Vulkan builds
    assert resolve_engine("ollama").block_scale_ops == 3.0
    for engine in ("ollama metal", "ollama vulkan"):
        assert resolve_engine(engine).block_scale_ops == 0.0


@pytest.mark.unit
def test_a100_pays_the_block_scales_at_its_fp32_rate() -> None:
    runtime = llm_runtime("a100-80gb-sxm", "llama-2-7b", "q4_0", CURRENT)
    per_token = runtime.shape.matmul_flops_per_token
    share = _issue_share(runtime)
    assert share == pytest.approx(3.0 / 32.0 * 312.0 / 19.5, rel=0.02)  # 1.5
    assert runtime.block_scale_flops_per_token == pytest.approx(share * per_token)
    flops, _ = runtime.prefill_terms(512, 1)
    assert runtime.prefill_model_flops(512, 1) == pytest.approx(flops - 512 * share * per_token)


@pytest.mark.unit
def test_geforce_pays_a_much_smaller_share_than_datacenter_parts() -> None:
    a100 = llm_runtime("a100-80gb-sxm", "llama-2-7b", "q4_0", CURRENT)
    rtx = llm_runtime("rtx-3090", "llama-2-7b", "q4_0", CURRENT)
    a100_share = a100.block_scale_flops_per_token / a100.shape.matmul_flops_per_token
    rtx_share = rtx.block_scale_flops_per_token / rtx.shape.matmul_flops_per_token
    assert rtx_share == pytest.approx(_issue_share(rtx))
    assert a100_share > 4.0 * rtx_share


@pytest.mark.unit
def test_no_block_scales_for_16_bit_weights_or_backends_without_mmq() -> None:
    assert (
        llm_runtime("a100-80gb-sxm", "llama-2-7b", "gguf-f16", CURRENT).block_scale_flops_per_token
        == 0.0
    )
    for engine in ("llama.cpp metal", "llama.cpp vulkan", "llama.cpp sycl", "vllm"):
        assert resolve_engine(engine).block_scale_ops == 0.0
    # b2837 runs MMQ only where it has no tensor cores (Pascal, DP4A); elsewhere cuBLAS on an
    # fp16 copy of the weights, which has no block-scale epilogue
    assert (
        llm_runtime("rtx-4090", "llama-2-7b", "q4_0", "llama.cpp b2837").block_scale_flops_per_token
        == 0.0
    )
