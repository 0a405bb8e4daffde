"""vLLM's server schedules by default 2048 tokens per step and 256 running requests, except on
GPUs of 70 GiB or more that are not an A100 (H100, H200, MI300X: 8192 and 1024):
vllm/engine/arg_utils.py EngineArgs.get_batch_defaults, PR #12369 and PR #17885. The serving
simulation reads that budget: a prompt longer than it is prefilled over several steps."""

from __future__ import annotations

import numpy as np
import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.serving_simulation import RequestStream, StepTimes, simulate_benchmark
from gpuatlas.economics.simulation_step_times import EstimatorStepSource, step_times_from
from gpuatlas.performance.scheduler_defaults import SchedulerBudget, scheduler_budget


@pytest.mark.parametrize(
    ("profile", "gpu", "tokens", "running"),
    [
        ("vllm", "h100-sxm", 8192, 1024),
        ("vllm", "h200", 8192, 1024),
        ("vllm-rocm", "mi300x", 8192, 1024),
        ("vllm", "a100-80gb-sxm", 2048, 256),  # 80 GB, but an A100 (PR #17885)
        ("vllm", "l40s", 2048, 256),  # 48 GB
        ("vllm", "rtx-5090", 2048, 256),
        ("sglang", "h100-sxm", 8192, 256),  # no rule: the simulator's defaults
        ("vllm-pre-hybrid-kv", "h100-sxm", 8192, 256),  # V0 / early V1: no rule
    ],
)
def test_the_budget_follows_the_gpu_memory_class(
    profile: str, gpu: str, tokens: int, running: int
) -> None:
    budget = scheduler_budget(profile, resolve_gpu(gpu))
    assert (budget.max_batched_tokens, budget.max_running) == (tokens, running)


def test_the_estimator_source_carries_the_budget_into_the_step_times() -> None:
    system = build_system(resolve_gpu("rtx-5090"), 1)
    source = EstimatorStepSource(system, "llama-3.1-8b", "bf16", "vllm 0.12.0")
    assert source.budget == scheduler_budget("vllm", system.gpu)
    steps = step_times_from(source, 1024, 128, 8)
    assert steps.max_batched_tokens == 2048


def _one_prompt_ttft_s(max_batched_tokens: int) -> float:
    """A lone 8000-token prompt: each step costs 10 ms plus 0.1 ms per prompt token."""
    tokens = np.array([1.0, 8192.0, 16384.0])
    steps = StepTimes(
        decode_step_s=np.array([0.0, 0.01]),
        prefill_tokens=tokens,
        prefill_step_s=0.01 + 1e-4 * tokens,
        max_batched_tokens=max_batched_tokens,
    )
    stream = RequestStream(np.zeros(1), np.array([8000]), np.array([2]))
    result = simulate_benchmark(steps, stream)
    return float(result.ttft_s[0])


def test_a_long_prompt_takes_one_step_per_chunk_of_the_budget() -> None:
    """8000 tokens: one step at 8192, four at 2048 (2048 x 3 + 1856), each paying the step's
    10 ms and the running batch's decode token (none running: 0 s here)."""
    whole = _one_prompt_ttft_s(8192)
    chunked = _one_prompt_ttft_s(2048)
    assert whole == pytest.approx(0.01 + 0.8, rel=0.02)
    assert chunked > whole
    assert chunked == pytest.approx(whole + 3 * 0.01, rel=0.05)


def test_defaults_without_a_rule() -> None:
    assert SchedulerBudget() == SchedulerBudget(8192, 256, "")
