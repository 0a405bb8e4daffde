"""Eager engines launch each layer's kernels from the host while the GPU works: a decode step
waits for the longer of host and GPU time (engines.toml host_overlaps_gpu); vLLM before CUDA
graphs (0.2.7) is that kind of engine: the same kernels, launched from Python."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import case_from_row, observe
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance import api
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import engine_profile
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
    eager = llm_runtime(A100, "llama-2-7b", "fp16", "transformers 4.51.3")
    adding = replace(eager, engine=replace(eager.engine, host_overlaps_gpu=False))
    host_s = eager.engine_host_s
    assert host_s == pytest.approx(0.7e-3 * 32)  # layer_overhead_ms x 32 layers
    for batch in (1, 64):
        summed = adding.decode_step_s(batch, 1000)
        core = summed - adding.decode_overhead_s - batch * adding.engine.sequence_overhead_us * 1e-6
        hidden = summed - eager.decode_step_s(batch, 1000)
        assert hidden == pytest.approx(min(core, host_s))


def test_vllm_before_cuda_graphs_is_the_eager_generation() -> None:
    assert engine_profile("vllm", version="0.2.6").id == "vllm-eager"
    assert engine_profile("vllm", version="0.2.7").id == "vllm-pre-hybrid-kv"
    assert engine_profile("vllm", version="0.9.1").id == "vllm"
    eager = resolve_engine("vllm-eager")
    assert eager.host_overlaps_gpu and eager.layer_overhead_ms > 0
    assert resolve_engine("vllm").layer_overhead_ms == 0


def test_rows_run_with_enforce_eager_use_the_eager_generation() -> None:
    rows = [r for r in load_measurements() if r.variant and "enforce-eager" in r.variant]
    usable = [r for r in rows if not r.unusable_for_calibration]
    assert usable
    assert {case_from_row(r).engine for r in usable} == {"vllm-eager"}
    # vLLM's eager generation is costed on CUDA only: ROCm rows run with --enforce-eager
    # (kyuz0's R9700 runs, round 35) are kept, marked unusable, with the reason
    rocm = [r for r in rows if case_from_row(r).engine.startswith("vllm-rocm")]
    assert rocm and all("--enforce-eager on vLLM ROCm" in r.unusable_for_calibration for r in rocm)


def test_eager_decode_is_slower_by_the_host_time_the_gpu_does_not_cover() -> None:
    # same calibrated levels, only the engine's behaviour differs
    eager = llm_runtime(A100, "llama-2-7b", "fp16", "vllm 0.2.6")
    graphs = replace(eager, engine=resolve_engine("vllm"))
    host_s = 0.7e-3 * 32  # layer_overhead_ms x 32 layers
    assert eager.engine_host_s == pytest.approx(host_s)
    for batch in (1, 64):
        plain = graphs.decode_step_s(batch, 1000)
        core = plain - graphs.decode_overhead_s - batch * graphs.engine.sequence_overhead_us * 1e-6
        slower = eager.decode_step_s(batch, 1000) - plain
        assert slower == pytest.approx(max(0.0, host_s - core))
    assert eager.decode_step_s(1, 1000) > graphs.decode_step_s(1, 1000) * 1.3


def test_version_changes_the_answer_a_user_gets() -> None:
    old = api.predict_llm(A100, "llama-2-7b", "fp16", "vllm 0.2.6", batch=1, **_LENGTHS)
    new = api.predict_llm(A100, "llama-2-7b", "fp16", "vllm 0.2.7", batch=1, **_LENGTHS)
    assert old.engine == "vllm-eager" and new.engine == "vllm-pre-hybrid-kv"
    assert old.decode_tok_s.value < 0.8 * new.decode_tok_s.value


def test_eager_rows_calibrate_the_levels_of_the_engine_whose_kernels_they_run() -> None:
    row = next(
        r
        for r in load_measurements()
        if r.variant and "enforce-eager" in r.variant and not r.unusable_for_calibration
    )
    observation = observe(row)
    assert observation is not None
    assert observation.case.engine == "vllm-eager" and observation.engine == "vllm"


def test_transformers_versions_pick_their_generation() -> None:
    assert engine_profile("transformers", version="4.51.3").id == "transformers-4"
    assert engine_profile("transformers", version="4.57.3").id == "transformers-4"
    assert engine_profile("transformers", version="5.0.0rc1").id == "transformers"
    assert engine_profile("transformers", version="5.17.0").id == "transformers"
    assert engine_profile("transformers 4.46.0").id == "transformers-4"
    # no version: the source's month decides, and with neither the newest generation (v5)
    assert engine_profile("transformers", date="2025-05-20").id == "transformers-4"
    assert engine_profile("transformers", date="2026-03").id == "transformers"
    assert engine_profile("transformers").id == "transformers"


def test_transformers_5_pays_its_measured_host_time_per_layer_on_the_v4_kernels() -> None:
    v4 = resolve_engine("transformers-4")
    v5 = resolve_engine("transformers")
    # run d7d6df226613: 12.4 ms + 1.10 ms per decoder layer at batch 1 (H200, 5.17.0)
    assert v5.layer_overhead_ms == pytest.approx(1.1)
    assert v4.layer_overhead_ms == pytest.approx(0.7)
    assert v5.host_overlaps_gpu and v4.host_overlaps_gpu
    assert v5.calibrate_from == "transformers-4" and v4.calibrate_from == ""
    assert v5.formats == v4.formats and v5.multi_gpu == v4.multi_gpu
    old = llm_runtime(A100, "llama-3.1-8b", "bf16", "transformers 4.51.3")
    new = llm_runtime(A100, "llama-3.1-8b", "bf16", "transformers 5.17.0")
    assert (old.engine.id, new.engine.id) == ("transformers-4", "transformers")
    assert new.engine_host_s - old.engine_host_s == pytest.approx(0.4e-3 * 32)
