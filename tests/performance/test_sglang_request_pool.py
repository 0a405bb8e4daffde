"""SGLang's scheduler runs up to its request pool at once: max_num_reqs = min(max(KV tokens /
context_len x 512, 2048), 4096) (sgl-project/sglang model_runner.py), so an offline run that
sends every prompt at once (`bench_serving` without --max-concurrency) runs at least 2,048
requests wherever the KV pool holds them; the KV pool caps it below that."""

from __future__ import annotations

import pytest

from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.memory import max_sequences
from gpuatlas.performance.llm.predict import llm_runtime, runtime_max_batch
from gpuatlas.performance.llm.refusal import memory_inputs

SYSTEM = "4x h200-sxm"
MODEL = "llama-3.3-70b"


@pytest.mark.unit
def test_sglang_request_pool_is_at_least_2048() -> None:
    assert resolve_engine("sglang").max_batch == 2048
    assert resolve_engine("sglang-rocm").max_batch == 2048


@pytest.mark.unit
def test_short_requests_run_the_whole_pool_when_the_kv_cache_holds_more() -> None:
    runtime = llm_runtime(SYSTEM, MODEL, "bf16", "sglang")
    context_tokens = 385  # 130 prompt + 255 generated tokens
    fitting = max_sequences(memory_inputs(runtime, "fp16"), 4, context_tokens)
    assert fitting > 2048  # ~1.1M KV tokens on 4x 141 GB less 141 GB of weights
    assert runtime_max_batch(runtime, context_tokens) == 2048


@pytest.mark.unit
def test_long_requests_are_capped_by_the_kv_pool() -> None:
    runtime = llm_runtime(SYSTEM, MODEL, "bf16", "sglang")
    context_tokens = 3070
    fitting = max_sequences(memory_inputs(runtime, "fp16"), 4, context_tokens)
    assert fitting < 2048
    assert runtime_max_batch(runtime, context_tokens) == fitting
