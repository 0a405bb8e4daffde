"""The step-time, memory and serving formulas are written once: evaluating them over numpy
arrays (`ARRAY`) gives, element by element, exactly the float the scalar call gives."""

from __future__ import annotations

import numpy as np
import pytest

from gpuatlas.performance.cases import Case
from gpuatlas.performance.llm.memory import fitting_sequences, max_sequences
from gpuatlas.performance.llm.predict import memory_inputs, serving_output_tok_s
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.llm.vectorised import VectorisedRuntime, vector_for
from gpuatlas.performance.primitives import ARRAY

CONFIGS = [  # one GPU, tensor parallel in one node and across nodes, layer split, MoE, MLA
    ("rtx-4090", 1, "llama-3-8b", "q4_k_m", "llama.cpp"),
    ("h100-sxm", 8, "llama-3.1-70b", "bf16", "vllm"),
    ("16x h100-sxm", 1, "llama-3.1-405b", "fp8", "sglang"),
    ("rtx-3090", 2, "qwen3-30b-a3b", "q4_k_m", "llama.cpp"),
    ("a100-80gb-sxm", 1, "gpt-oss-20b", "mxfp4", "vllm"),
]
BATCHES = [1, 2, 7, 64, 300]
CONTEXTS = [0, 0.5, 1, 100.5, 4097, 70000]


def _runtime(config: tuple[str, int, str, str, str]) -> LlmRuntime:
    return vector_for(Case(*config, 1, 1, 1, "tpot_ms")).runtime


@pytest.mark.parametrize("config", CONFIGS)
def test_step_times_over_arrays_equal_scalar_calls_exactly(
    config: tuple[str, int, str, str, str],
) -> None:
    runtime = _runtime(config)
    pairs = [(b, c) for b in BATCHES for c in CONTEXTS]
    batch = np.array([float(b) for b, _ in pairs])
    length = np.array([float(c) for _, c in pairs])
    decode = runtime.decode_step_s(batch, length, ARRAY)
    tokens = np.floor(length)
    prefill = runtime.prefill_s(tokens, batch, 0, ARRAY)
    for i, (b, c) in enumerate(pairs):
        assert decode[i] == runtime.decode_step_s(b, c)
        assert prefill[i] == runtime.prefill_s(int(c), b)
    assert np.all(prefill[tokens <= 0] == 0.0)
    assert np.all(decode > 0)


@pytest.mark.parametrize("config", CONFIGS)
def test_memory_and_serving_over_arrays_equal_scalar_calls_exactly(
    config: tuple[str, int, str, str, str],
) -> None:
    runtime = _runtime(config)
    inputs = memory_inputs(runtime, "fp16")
    count = runtime.system.gpu_count
    contexts = [1, 17, 1000, 33000, 131072]
    fitting = fitting_sequences(inputs, count, np.array(contexts, dtype=float), None, ARRAY)
    assert fitting.tolist() == [max_sequences(inputs, count, c) for c in contexts]
    vector = vector_for(Case(*config, 1, 1, 1, "tpot_ms"))
    batch, inputs_tokens, outputs = (
        np.array([1.0, 8.0]),
        np.array([512.0, 512.0]),
        np.array([256.0, 256.0]),
    )
    tpot = vector.decode_step_s(batch, inputs_tokens + outputs / 2)
    # a server prefills in its per-GPU chunks (LlmRuntime.server, scheduler_defaults.toml)
    ttft = VectorisedRuntime(runtime.server).prefill_s(inputs_tokens, batch)
    rate = vector.serving_rate(batch, inputs_tokens, outputs, ttft, tpot)
    # numpy's vectorised power (the roofline's rounded ridge) may differ from libm's by one
    # ulp at some inputs (llama.cpp's flash-attention decode at batch 8, 640 tokens): the same
    # formula, not the same rounding
    scalar = [serving_output_tok_s(runtime, b, 512, 256) for b in (1, 8)]
    assert rate.tolist() == pytest.approx(scalar, rel=1e-14, abs=0.0)
