"""vLLM runs GPTQ checkpoints on ROCm through gptq_gemm (the exllama kernels;
marlin_utils.check_marlin_supports_layer is False on ROCm): a step of more than 50 tokens
(MAX_Q_GEMM_ROWS) writes an fp16 copy of each quantised matrix and runs hipBLAS on it, so it
moves 2 bytes written + 2 bytes read per linear weight on top of the 4-bit read; steps of up
to 50 tokens run the fused kernel. On CUDA GPTQ runs through Marlin (no copy)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.primitives import ARRAY

MODEL = "qwen3-14b"
FP16_COPY_BYTES_PER_WEIGHT = 4.0  # the fp16 copy written (2 bytes) and read by the GEMM (2)


def _linear_weights(runtime: LlmRuntime) -> float:
    """The model's non-expert linear weights (attention, dense MLP, shared experts, router)."""
    parts = runtime.model.parameter_breakdown()
    return float(
        parts["attention"] + parts["dense_mlp"] + parts["shared_experts"] + parts["router"]
    )


@pytest.mark.unit
def test_steps_over_50_tokens_move_the_fp16_copy_on_rocm() -> None:
    runtime = llm_runtime("rx-7900-xtx", MODEL, "gptq-int4", "vllm")
    copy_bytes = FP16_COPY_BYTES_PER_WEIGHT * _linear_weights(runtime)
    assert runtime.reconstruct_bytes(50) == 0.0
    assert runtime.reconstruct_bytes(51) == pytest.approx(copy_bytes, rel=1e-9)
    assert runtime.reconstruct_bytes(4096) == pytest.approx(copy_bytes, rel=1e-9)


@pytest.mark.unit
def test_decode_step_of_51_sequences_reads_the_copy() -> None:
    runtime = llm_runtime("rx-7900-xtx", MODEL, "gptq-int4", "vllm")
    copy_bytes = FP16_COPY_BYTES_PER_WEIGHT * _linear_weights(runtime)
    _, bytes_50 = runtime.decode_terms(50, 0)
    _, bytes_51 = runtime.decode_terms(51, 0)
    assert bytes_51 - bytes_50 == pytest.approx(copy_bytes, rel=1e-6)


@pytest.mark.unit
def test_tensor_parallel_gpus_each_copy_their_shard() -> None:
    one = llm_runtime("rx-7900-xtx", MODEL, "gptq-int4", "vllm")
    two = llm_runtime("2x rx-7900-xtx", MODEL, "gptq-int4", "vllm")
    assert two.reconstruct_bytes(64) == pytest.approx(one.reconstruct_bytes(64) / 2, rel=1e-9)


@pytest.mark.unit
def test_prefill_copies_once_per_chunk() -> None:
    runtime = llm_runtime("rx-7900-xtx", MODEL, "gptq-int4", "vllm")
    copy_bytes = FP16_COPY_BYTES_PER_WEIGHT * _linear_weights(runtime)
    chunk = runtime.engine.prefill_chunk_tokens
    tokens = 3 * chunk + 1
    steps = math.ceil(tokens / chunk)
    assert runtime.prefill_reconstruct_bytes(tokens, 1) == pytest.approx(steps * copy_bytes)
    assert runtime.prefill_reconstruct_bytes(40, 1) == 0.0  # one step of 40 tokens: fused


@pytest.mark.unit
def test_no_copy_for_marlin_or_other_formats() -> None:
    assert llm_runtime("rtx-4090", MODEL, "gptq-int4", "vllm").reconstruct_bytes(512) == 0.0
    assert llm_runtime("rtx-4090", MODEL, "awq-int4", "vllm").reconstruct_bytes(512) == 0.0
    assert llm_runtime("mi300x", MODEL, "bf16", "vllm").reconstruct_bytes(512) == 0.0


@pytest.mark.unit
def test_vectorised_decode_matches_the_scalar_formula() -> None:
    runtime = llm_runtime("rx-7900-xtx", MODEL, "gptq-int4", "vllm")
    batches = np.array([8.0, 50.0, 51.0, 128.0])
    contexts = np.full(4, 1024.0)
    vector = runtime.decode_step_s(batches, contexts, ARRAY)
    scalar = [runtime.decode_step_s(float(b), 1024.0) for b in batches]
    assert np.allclose(vector, scalar, rtol=1e-12)
    assert scalar[2] > scalar[1] * 2  # 9x the weight traffic of the 4-bit read from 51 on
