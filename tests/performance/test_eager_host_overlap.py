"""Eager engines launch each layer's kernels from the host while the GPU works: a decode step
waits for the longer of host and GPU time (engines.toml host_overlaps_gpu)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.performance import api
from gpuatlas.performance.llm.predict import llm_runtime

A100 = "a100-80gb-sxm"


_LENGTHS = {"input_tokens": 128, "output_tokens": 128}


def test_host_bound_decode_is_flat_per_layer() -> None:
    # Qwen2.5 1.5B and 7B both have 28 layers: transformers 4.46 on an A100 measures 25.2 and
    # 24.8 ms per token (packaged qwen25_speed_benchmark_a100.csv): the host launches bound
    # both, the 7B's ~5x larger weight reads hide under them. Adding the two would make the
    # 7B ~40 % slower.
    small = api.predict_llm(A100, "qwen2.5-1.5b", "bf16", "transformers", batch=1, **_LENGTHS)
    large = api.predict_llm(A100, "qwen2.5-7b", "bf16", "transformers", batch=1, **_LENGTHS)
    assert large.tpot_ms.value / small.tpot_ms.value < 1.1


def test_an_engine_that_adds_host_and_gpu_time_hides_none() -> None:
    metal = llm_runtime("apple-m2-ultra-76", "llama-2-7b", "q4_0", "llama.cpp")
    assert not metal.engine.host_overlaps_gpu
    assert metal.host_hidden_s(1.0) == 0.0


def test_an_overlapping_engine_waits_for_the_longer_of_host_and_gpu() -> None:
    eager = llm_runtime(A100, "llama-2-7b", "fp16", "transformers")
    adding = replace(eager, engine=replace(eager.engine, host_overlaps_gpu=False))
    host_s = eager.engine_host_s
    assert host_s == pytest.approx(0.7e-3 * 32)  # layer_overhead_ms x 32 layers
    for batch in (1, 64):
        summed = adding.decode_step_s(batch, 1000)
        core = summed - adding.decode_overhead_s - batch * adding.engine.sequence_overhead_us * 1e-6
        hidden = summed - eager.decode_step_s(batch, 1000)
        assert hidden == pytest.approx(min(core, host_s))
