"""llama.cpp masters of February-April 2024 ran before CUDA graphs were on by default (PR #6766,
merged 2024-05-08): they are a generation of their own, so one pre-graph row does not set the
levels of the May-2024-on builds (llama.cpp-2024) the published tables used."""

from __future__ import annotations

import pytest

from gpuatlas.performance.calibration_table import group_keys
from gpuatlas.performance.engine_profiles import all_engines
from gpuatlas.performance.engine_specs import llama_cpp_generation


@pytest.mark.parametrize(
    ("version", "date", "generation"),
    [
        (None, "2024-04-19", "llama.cpp-2024-before-graphs"),  # issue #6763's master
        (None, "2024-02-01", "llama.cpp-2024-before-graphs"),
        ("builds of May 2024 (b28xx)", None, "llama.cpp-2024"),
        ("b2833", None, "llama.cpp-2024"),  # numbered builds stay in llama.cpp-2024
        (None, "2024-05-20", "llama.cpp-2024"),
        ("builds of Dec 2023", None, "llama.cpp-2023"),
    ],
)
def test_the_month_before_cuda_graphs_chooses_its_own_generation(
    version: str | None, date: str | None, generation: str
) -> None:
    assert llama_cpp_generation(version, date) == generation


def test_the_pre_graph_generation_refines_2023_levels_not_2024s() -> None:
    profile = next(p for p in all_engines() if p.id == "llama.cpp-2024-before-graphs")
    assert profile.calibrate_from == "llama.cpp-2023"
    keys = group_keys("decode", "llama.cpp-2024-before-graphs", "hopper/hbm", "int4")
    assert not any("|llama.cpp-2024|" in key for key in keys)
    assert any("|llama.cpp-2024-before-graphs|" in key for key in keys)
    # It keeps llama.cpp-2024's kernels (the same per-layer launches, MMQ and pipeline).
    parent = next(p for p in all_engines() if p.id == "llama.cpp-2024")
    assert profile.layer_overhead_ms == parent.layer_overhead_ms
    assert profile.pipeline_batch_tokens == parent.pipeline_batch_tokens
