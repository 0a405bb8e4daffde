"""A build compiled from a development branch, as users write it ('llama.cpp master', 'vLLM
main', 'SGLang nightly'): no release, predicted with the engine's newest profile (or, for a
dated measurement, the generation of its date), and the answer says so."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.engine_specs import engine_notes, engine_profile, parse_engine_spec


@pytest.mark.parametrize(
    ("written", "engine", "branch", "backend"),
    [
        ("llama.cpp master", "llama.cpp", "master", None),
        ("llama.cpp vulkan master", "llama.cpp", "master", "vulkan"),
        ("vLLM main", "vllm", "main", None),
        ("SGLang nightly", "sglang", "nightly", None),
    ],
)
def test_a_branch_reads_as_the_version(
    written: str, engine: str, branch: str, backend: str | None
) -> None:
    spec = parse_engine_spec(written)
    assert (spec.engine, spec.version, spec.backend) == (engine, branch, backend)


def test_a_branch_is_predicted_with_the_newest_profile_and_said_so() -> None:
    assert engine_profile("llama.cpp master", gpu_by_id("rtx-4090")).id == "llama.cpp"
    assert engine_profile("llama.cpp vulkan master", gpu_by_id("rx-7900-xtx")).id == (
        "llama.cpp-vulkan"
    )
    (note,) = engine_notes("llama.cpp master")
    assert "names a branch or moving tag, not a release" in note
    assert "newest profile" in note


def test_a_dated_branch_build_takes_the_generation_of_its_date() -> None:
    # llama-bench ran -fa 0 until b9437 (2026-06): a 'master' build measured in 2025 is that
    # generation, one measured after it the current profile.
    gpu = gpu_by_id("rtx-4090")
    assert engine_profile("llama.cpp master", gpu, date="2025-09-01").id == "llama.cpp-2025"
    assert engine_profile("llama.cpp master", gpu, date="2026-09-01").id == "llama.cpp"


def test_an_unreadable_word_lists_the_branches_it_would_read() -> None:
    with pytest.raises(InvalidRequestError, match=r"a branch \(head, latest, main, master"):
        parse_engine_spec("llama.cpp mastr")
