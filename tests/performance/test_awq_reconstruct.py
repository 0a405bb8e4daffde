"""vLLM runs AWQ checkpoints on ROCm through AWQLinearMethod (marlin_utils.
check_marlin_supports_layer is False on ROCm; rocm.py turns on the Triton AWQ kernels): a step
of 256 tokens or more dequantises each quantised matrix to an fp16 copy (ops.awq_dequantize)
and multiplies it with torch.matmul, so it moves 2 bytes written + 2 bytes read per linear
weight on top of the 4-bit read; smaller steps run the fused awq_gemm. On CUDA AWQ runs through
Marlin (no copy)."""

from __future__ import annotations

import pytest

from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime

pytestmark = pytest.mark.unit

MODEL = "qwen3-14b"
FP16_COPY_BYTES_PER_WEIGHT = 4.0  # the fp16 copy written (2 bytes) and read by the GEMM (2)
FIRST_COPYING_STEP_TOKENS = 256  # awq.py: FP16_MATMUL_HEURISTIC_CONDITION = tokens >= 256


def _linear_weights(runtime: LlmRuntime) -> float:
    """The model's non-expert linear weights (attention, dense MLP, shared experts, router)."""
    parts = runtime.model.parameter_breakdown()
    return float(
        parts["attention"] + parts["dense_mlp"] + parts["shared_experts"] + parts["router"]
    )


@pytest.mark.parametrize("gpu", ["mi300x", "rx-7900-xtx"])
def test_steps_of_256_tokens_and_more_move_the_fp16_copy_on_rocm(gpu: str) -> None:
    runtime = llm_runtime(gpu, MODEL, "awq-int4", "vllm")
    copy_bytes = FP16_COPY_BYTES_PER_WEIGHT * _linear_weights(runtime)
    assert runtime.reconstruct_bytes(FIRST_COPYING_STEP_TOKENS - 1) == 0.0
    assert runtime.reconstruct_bytes(FIRST_COPYING_STEP_TOKENS) == pytest.approx(
        copy_bytes, rel=1e-9
    )
    assert runtime.reconstruct_bytes(8192) == pytest.approx(copy_bytes, rel=1e-9)


def test_a_long_prompt_prefill_is_slower_than_without_the_copy() -> None:
    awq = llm_runtime("mi300x", MODEL, "awq-int4", "vllm")
    chunk = awq.engine.prefill_chunk_tokens
    assert awq.prefill_reconstruct_bytes(4 * chunk, 1) == pytest.approx(
        4 * FP16_COPY_BYTES_PER_WEIGHT * _linear_weights(awq), rel=1e-9
    )


def test_no_awq_copy_on_cuda_or_for_other_formats_on_rocm() -> None:
    assert llm_runtime("h100-sxm", MODEL, "awq-int4", "vllm").reconstruct_bytes(4096) == 0.0
    assert llm_runtime("mi300x", MODEL, "fp8", "vllm").reconstruct_bytes(4096) == 0.0
    # GPTQ keeps its own threshold (gptq_gemm's MAX_Q_GEMM_ROWS = 50)
    assert llm_runtime("mi300x", MODEL, "gptq-int4", "vllm").reconstruct_above_tokens == 50
