"""Stock Ollama on Radeon cards its ROCm build has no kernels for (RDNA 1, the smaller RDNA 2
dies) runs on its Vulkan library; --engine auto and 'ollama' pick that, and say why."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.engine_specs import resolve_engine_on, target_notes


@pytest.mark.parametrize(
    ("gpu", "profile"),
    [
        ("rx-5700-xt", "ollama-vulkan"),  # gfx1010: RDNA 1, not in Ollama's ROCm list
        ("rx-6600", "ollama-vulkan"),  # gfx1032
        ("rx-6650-xt", "ollama-vulkan"),  # gfx1032
        ("rx-6700-xt", "ollama-vulkan"),  # gfx1031
        ("rx-6750-xt", "ollama-vulkan"),  # gfx1031
        ("rx-6800", "ollama-rocm"),  # gfx1030: on the list
        ("rx-7900-xtx", "ollama-rocm"),  # gfx1100: on the list
    ],
)
def test_ollama_runs_where_its_stock_build_has_kernels(gpu: str, profile: str) -> None:
    assert resolve_engine_on("ollama", resolve_system(gpu).gpu).id == profile


def test_the_rocm_build_stays_available_when_named() -> None:
    """Users who set HSA_OVERRIDE_GFX_VERSION run the ROCm build on gfx1031 themselves."""
    assert resolve_engine_on("ollama rocm", resolve_system("rx-6700-xt").gpu).id == "ollama-rocm"


def test_the_answer_says_why_it_is_not_rocm() -> None:
    gpu = resolve_system("rx-6700-xt").gpu
    (note,) = target_notes(resolve_engine_on("ollama", gpu), gpu)
    assert "gfx1031" in note and "vulkan" in note
    rx_6800 = resolve_system("rx-6800").gpu
    assert target_notes(resolve_engine_on("ollama", rx_6800), rx_6800) == ()
    document = predict_llm_document(PredictLlmRequest(system="rx-6700-xt", model="qwen3:14b"))
    assert document["engine"] == "ollama (vulkan)"  # as users name it, with the backend
    assert document["engine_profile"] == "ollama-vulkan"
    assert "gfx1031" in document["engine_note"]
