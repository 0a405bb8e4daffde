"""A served benchmark run is capped by the KV pool its server sized at start-up (vLLM's
profile run at its stated memory share and step budget), and the run's stated settings reach
the simulation."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.latency_under_load import (
    BenchmarkLoad,
    BenchmarkSetup,
    setup_step_times,
)
from gpuatlas.performance import api

QWEN3_8B_NVFP4 = ("Qwen/Qwen3-8B", "nvfp4")


def _pool_batch(gpu: str, count: int, context_tokens: int, share: float = 0.9) -> int:
    model, weights = QWEN3_8B_NVFP4
    return api.startup_pool_batch(
        build_system(gpu_by_id(gpu), count),
        model,
        weights,
        "vllm 0.12.0",
        context_tokens=context_tokens,
        memory_fraction=share,
        profile_tokens=8192,
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu", "count", "logged_tokens"),
    [
        # hholtmann/llm-consumer-gpu-benchmark vllm.log (vLLM 0.12.0, gpu_memory_utilization
        # 0.9, max_num_batched_tokens 8192): "GPU KV cache size: 155,536 tokens" on one RTX
        # 5090, "357,888 tokens" on two (tensor parallel)
        ("rtx-5090", 1, 155_536),
        ("rtx-5090", 2, 357_888),
    ],
)
def test_the_startup_pool_holds_what_vllm_logged(gpu: str, count: int, logged_tokens: int) -> None:
    logged_sequences = logged_tokens // 4096
    assert _pool_batch(gpu, count, 4096) == pytest.approx(logged_sequences, rel=0.12)


@pytest.mark.unit
def test_a_smaller_memory_share_holds_fewer_sequences() -> None:
    assert _pool_batch("rtx-5090", 1, 4096, share=0.6) < _pool_batch("rtx-5090", 1, 4096)


@pytest.mark.unit
def test_the_runs_step_budget_and_memory_share_reach_the_simulation() -> None:
    model, weights = QWEN3_8B_NVFP4
    load = BenchmarkLoad(4096, 256, requests=100, concurrency=64)
    stated = BenchmarkSetup(
        "rtx-5090", 1, model, weights, "vllm 0.12.0", memory_fraction=0.6, max_batched_tokens=8192
    )
    steps = setup_step_times(stated, load)
    assert steps.max_batched_tokens == 8192
    assert steps.max_batch == _pool_batch("rtx-5090", 1, 4096 + 256, share=0.6)
