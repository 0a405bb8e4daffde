"""plan and cost take a llama.cpp/Ollama server's request slots (--parallel) like predict
serving, and Ollama's automatic slot choice checks the fit at the num_ctx actually set."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.economics.serving_engine import parallel_problems
from gpuatlas.economics.simulation_step_times import EstimatorStepSource, with_num_ctx
from gpuatlas.performance import api

pytestmark = pytest.mark.unit


def _system() -> GpuSystem:
    return build_system(resolve_gpu("rtx-4090"), 1)


def test_parallel_sets_the_replica_slots() -> None:
    """Newest Ollama runs one slot by default; OLLAMA_NUM_PARALLEL=4 runs 4 (the 8B q4_k_m
    model and 4 sequences of 768 tokens fit a 24 GB card)."""
    source = EstimatorStepSource(_system(), "llama-3.1-8b", "q4_k_m", "ollama")
    assert source.max_batch(768) == 1
    assert with_num_ctx(source, None, 4).max_batch(768) == 4


def test_parallel_leaves_vllm_sources_alone() -> None:
    source = EstimatorStepSource(_system(), "llama-3.1-8b", "awq-int4", "vllm")
    assert with_num_ctx(source, None, 4) is source


def test_ollama_autoselect_checks_the_fit_at_the_num_ctx_set() -> None:
    """Ollama 0.5.7 tries 4 slots at NumCtx = num_ctx x 4: at its default num_ctx (2,048)
    llama-3.1-8b q4_k_m fits a 24 GB card whole with 4; at num_ctx 65,536 the 4 x 65,536
    tokens of fp16 KV (128 KiB each = 32 GiB) do not fit, so it runs 1."""
    args = ("rtx-4090", "llama-3.1-8b", "q4_k_m", "ollama 0.5.7")
    default = api.server_request_slots(*args, context_tokens=768)
    long = api.server_request_slots(*args, context_tokens=768, num_ctx=65_536)
    assert (default, long) == (4, 1)


@pytest.mark.parametrize(
    ("parallel", "engine", "says"),
    [
        (4, "vllm", "is an Ollama/llama.cpp option; vllm runs every request"),
        (0, "ollama", "--parallel must be at least 1"),
    ],
)
def test_parallel_is_refused_with_a_reason(parallel: int, engine: str, says: str) -> None:
    found = parallel_problems(parallel, engine, "llama-3.1-8b", [_system()])
    assert len(found) == 1 and says in found[0]


def test_parallel_on_ollama_is_accepted() -> None:
    assert parallel_problems(4, "ollama", "llama-3.1-8b", [_system()]) == []
    assert parallel_problems(None, "vllm", "llama-3.1-8b", [_system()]) == []
