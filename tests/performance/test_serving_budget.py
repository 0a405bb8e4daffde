"""The serving throughput runs vLLM's server with its per-GPU defaults (scheduler_defaults.toml,
vllm/engine/arg_utils.py get_batch_defaults): on an A100 or a GPU under 70 GiB 2048 batched
tokens per step and at most 256 running requests, on an H100 8192 and 1024. A burst of more
requests than that runs at the cap and queues the rest; prompts are prefilled in chunks of the
batched tokens. Engines without a rule keep their engines.toml profile."""

from __future__ import annotations

import math

import pytest

from gpuatlas.performance import api
from gpuatlas.performance.cases import Case
from gpuatlas.performance.llm.predict import (
    llm_runtime,
    running_batch,
    runtime_max_batch,
    serving_cycle_s,
)
from gpuatlas.performance.llm.vectorised import predict_llm_many
from gpuatlas.performance.predictions import Estimate

MODEL = "llama-3.1-8b"
INPUT_TOKENS, OUTPUT_TOKENS = 200, 100  # 500 such requests fit in 80 GB of KV


def _throughput(gpu: str, concurrency: int) -> Estimate:
    return api.serving_throughput(
        gpu,
        MODEL,
        "bf16",
        "vllm",
        concurrency=concurrency,
        input_tokens=INPUT_TOKENS,
        output_tokens=OUTPUT_TOKENS,
    )


def _case(gpu: str, engine: str, batch: int) -> Case:
    return Case(
        gpu=gpu,
        gpu_count=1,
        model=MODEL,
        weights="bf16",
        engine=engine,
        metric="serving_output_tok_s",
        batch=batch,
        input_tokens=INPUT_TOKENS,
        output_tokens=OUTPUT_TOKENS,
    )


@pytest.mark.parametrize(
    ("gpu", "chunk", "cap"),
    [("a100-80gb-sxm", 2048, 256), ("h100-sxm", 8192, 1024), ("l40s", 2048, 256)],
)
def test_the_server_runtime_carries_the_gpus_budget(gpu: str, chunk: int, cap: int) -> None:
    runtime = llm_runtime(gpu, MODEL, "bf16", "vllm")
    assert (runtime.server.engine.prefill_chunk_tokens, runtime.server.engine.max_batch) == (
        chunk,
        cap,
    )
    assert runtime.server.engine.id == runtime.engine.id  # same calibration group
    assert runtime.engine.prefill_chunk_tokens == 8192  # static predictions keep the profile's


def test_an_engine_without_a_rule_serves_with_its_own_profile() -> None:
    runtime = llm_runtime("a100-80gb-sxm", MODEL, "bf16", "sglang")
    assert runtime.server is runtime
    assert running_batch(runtime, 500, 300) == 500  # no running cap: the KV pool holds them


def test_a_burst_on_an_a100_runs_256_at_once_and_queues_the_rest() -> None:
    runtime = llm_runtime("a100-80gb-sxm", MODEL, "bf16", "vllm")
    assert running_batch(runtime, 500, 300) == 256
    burst = _throughput("a100-80gb-sxm", 500)
    capped = _throughput("a100-80gb-sxm", 256)
    assert burst.value == capped.value
    assert any("server's running cap: the engine runs 256 at once" in n for n in burst.notes)
    assert predict_llm_many([_case("a100-80gb-sxm", "vllm", 500)])[0] == pytest.approx(
        capped.value, rel=1e-9
    )


def test_a_burst_on_an_h100_runs_up_to_1024() -> None:
    runtime = llm_runtime("h100-sxm", MODEL, "bf16", "vllm")
    assert running_batch(runtime, 500, 300) == 500
    # 'max' keeps the profile's 256: rows at 'max' often set their own max_num_seqs
    assert runtime_max_batch(runtime, 300) == 256
    burst = _throughput("h100-sxm", 500)
    at_256 = _throughput("h100-sxm", 256)
    assert burst.value > at_256.value
    assert predict_llm_many([_case("h100-sxm", "vllm", 500)])[0] == pytest.approx(
        burst.value, rel=1e-9
    )


def test_the_cycle_prefills_the_prompts_in_the_servers_chunks() -> None:
    """4 prompts of 4000 tokens: 8 steps of 2048 on an A100 where the profile's 8192 makes 2,
    each step paying the prefill step overhead; the decode part is the same."""
    runtime = llm_runtime("a100-80gb-sxm", MODEL, "bf16", "vllm")
    extra_steps = math.ceil(16000 / 2048) - math.ceil(16000 / 8192)
    assert extra_steps == 6
    added = runtime.server.prefill_s(4000, 4) - runtime.prefill_s(4000, 4)
    assert added == pytest.approx(extra_steps * runtime.prefill_overhead_s, rel=1e-6)
    step_s = runtime.decode_step_s(4, 4050) - 4 * runtime.engine.sequence_overhead_us * 1e-6
    expected = runtime.server.prefill_s(4000, 4) + 100 * step_s
    assert serving_cycle_s(runtime, 4, 4000, 100) == pytest.approx(expected, rel=1e-9)
