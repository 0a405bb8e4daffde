"""vLLM's own one-shot all-reduce over NVLink (engines.toml custom_allreduce_us): a tensor-parallel
step pays the lesser of the kernel's measured time and NCCL's ring, only where the kernel runs."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.collectives import one_shot_allreduce_step_s, tensor_parallel_step_s
from gpuatlas.performance.engine_profiles import resolve_engine

MEASURED = ((2, 8.7, 17.8), (4, 9.6, 32.0), (8, 11.2, 35.5))
MAX_MB = 8.39
LAYERS, HIDDEN = 36, 2880  # gpt-oss-120b


def test_a_small_decode_all_reduce_on_eight_h100_costs_the_kernel_time() -> None:
    system = resolve_system("8x h100-sxm")
    tokens = 4
    step = one_shot_allreduce_step_s(system, LAYERS, tokens, HIDDEN, MEASURED, MAX_MB)
    message_mb = tokens * HIDDEN * 2 / 1e6
    expected = 2 * LAYERS * (11.2 + 35.5 * message_mb) * 1e-6  # two all-reduces per layer
    assert step == pytest.approx(expected)
    assert step < tensor_parallel_step_s(system, LAYERS, tokens, HIDDEN)


def test_the_ring_is_kept_where_it_is_faster_or_the_message_is_too_large() -> None:
    two = resolve_system("2x h100-sxm")  # the ring's 2 µs hops beat the kernel's 8.7 µs
    ring_two = tensor_parallel_step_s(two, LAYERS, 4, HIDDEN)
    assert one_shot_allreduce_step_s(two, LAYERS, 4, HIDDEN, MEASURED, MAX_MB) == ring_two
    eight = resolve_system("8x h100-sxm")
    tokens = 8192  # 47 MB per all-reduce: above the kernel's 8.39 MB buffer, NCCL runs it
    ring_eight = tensor_parallel_step_s(eight, LAYERS, tokens, HIDDEN)
    assert one_shot_allreduce_step_s(eight, LAYERS, tokens, HIDDEN, MEASURED, MAX_MB) == ring_eight


def test_systems_the_kernel_does_not_serve_keep_the_ring() -> None:
    for name in ("8x mi300x", "16x h100-sxm", "6x h100-sxm"):  # no NVLink, two nodes, unmeasured
        system = resolve_system(name)
        ring = tensor_parallel_step_s(system, LAYERS, 4, HIDDEN)
        assert one_shot_allreduce_step_s(system, LAYERS, 4, HIDDEN, MEASURED, MAX_MB) == ring


def test_vllm_on_cuda_carries_the_measured_kernel_and_other_engines_do_not() -> None:
    assert resolve_engine("vllm").custom_allreduce_us == MEASURED
    assert resolve_engine("vllm").custom_allreduce_max_mb == MAX_MB
    assert resolve_engine("tensorrt-llm").custom_allreduce_us == ()
    assert resolve_engine("sglang").custom_allreduce_us == ()
