"""llama.cpp builds b2000-b3999 (2024) decode like the 2023 generation: every token still
launches each layer's kernels (0.1 ms per plain layer: a prior of 4.5 us per ggml graph node,
engines.toml kernel_overhead_us, against 2 us for current builds; CUDA graphs from PR #6766 took
only the CPU launch time), so the 2024 generation refines the 2023
generation's calibrated levels, not those of the current builds (b4000 on)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.performance.calibration_table import (
    Calibration,
    base_engine,
    group_keys,
    shipped_calibration,
)
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.step_times import build_runtime
from gpuatlas.performance.resolve import as_format, as_llm, as_system

# Llama 3 8B: 32 layers of 15 attention + 7 MLP nodes, and 6 nodes once per token
LLAMA_3_8B_NODES = 32 * (15 + 7) + 6
PER_NODE_US_2024 = 4.5
PER_NODE_US_CURRENT = 2.0


def _no_groups() -> Calibration:
    """The shipped priors without fitted groups: each engine at its engines.toml prior."""
    return replace(shipped_calibration(), groups={}, errors={}, covered={})


def _decode_step_s(engine: str, calibration: Calibration) -> float:
    model, weights = as_llm("llama-3-8b"), as_format("q4_k_m")
    runtime = build_runtime(
        as_system("rtx-4090"), model, weights, resolve_engine(engine), 2.0, calibration
    )
    return float(runtime.decode_step_s(1, 512))


def test_the_2024_generation_refines_the_2023_generations_levels() -> None:
    assert base_engine("llama.cpp-2024") == "llama.cpp-2023"
    keys = group_keys("decode", "llama.cpp-2024", "ada/gddr", "4bit")
    assert keys[0] == "decode|llama.cpp-2023|*|*"
    assert keys[5] == "decode|llama.cpp-2023|ada/gddr|4bit"
    assert keys[-1] == "decode|llama.cpp-2024|ada/gddr|4bit"
    assert not any(key.split("|")[1] == "llama.cpp" for key in keys)


def test_a_2024_case_without_its_own_levels_uses_the_2023_levels() -> None:
    groups = {
        "decode|llama.cpp-2023|*|*": {"eta_memory": 0.9, "step_overhead_ms": 0.5},
        "decode|llama.cpp|*|*": {"eta_memory": 0.6, "step_overhead_ms": 2.0},
    }
    calibration = replace(_no_groups(), groups=groups)
    prior = (0.72, 0.45, 0.6)
    found = calibration.params("decode", prior, "llama.cpp-2024", "ada/gddr", "4bit")
    memory_prior, _ = calibration.family_priors("ada/gddr")
    assert found.eta_memory == pytest.approx(min(1.0, 0.9 * memory_prior))
    assert found.step_overhead_ms == pytest.approx(0.5)


def test_a_2024_build_pays_the_2023_per_layer_time_that_current_builds_do_not() -> None:
    # Same priors (eta_memory 0.72, 0.6 ms per step) for both profiles; only the time per
    # graph node differs: 710 nodes x (4.5 - 2) us.
    calibration = _no_groups()
    step_2024 = _decode_step_s("llama.cpp-2024", calibration)
    step_2023 = _decode_step_s("llama.cpp-2023", calibration)
    step_current = _decode_step_s("llama.cpp-2025", calibration)  # b4000+, as llama-bench ran
    extra_us = LLAMA_3_8B_NODES * (PER_NODE_US_2024 - PER_NODE_US_CURRENT)
    assert step_2024 - step_current == pytest.approx(extra_us * 1e-6)
    assert step_2024 == pytest.approx(step_2023)
