"""An MI250X (or MI250) module is two GCDs that software sees as two 64 GB GPUs: it was one
128 GB GPU here, so `fit mi250x qwen2.5-72b -w fp8` answered 'GPUs needed: 1' on a device
whose every 64 GB half is its own GPU (vLLM needs tensor parallel 2, llama.cpp a split)."""

from __future__ import annotations

import pytest

from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.systems import resolve_system


@pytest.mark.parametrize(
    ("name", "gcd"), [("MI250X", "mi250x-gcd"), ("AMD Instinct MI250", "mi250-gcd")]
)
def test_a_module_is_two_64_gb_gpus(name: str, gcd: str) -> None:
    system = resolve_system(name)
    assert (system.gpu.id, system.gpu_count, system.gpu.memory_gb) == (gcd, 2, 64.0)
    assert system.gpu.memory_bandwidth_gb_s * 2 == pytest.approx(3276.8)  # the module's 3.2 TB/s


def test_a_70b_model_in_fp8_needs_both_gcds() -> None:
    answer = fit_answer(FitRequest(system="mi250x", model="qwen2.5-72b", weights=["fp8"]))
    assert answer.detail.fits and answer.detail.min_gpus_needed == 2  # ~72 GB of weights
    single = fit_answer(FitRequest(system="mi250x-gcd", model="qwen2.5-72b", weights=["fp8"]))
    assert not single.detail.fits


@pytest.mark.parametrize(("name", "gcds"), [("2x mi250x", 4), ("mi250x x4", 8), ("4x MI250", 8)])
def test_several_modules_are_twice_as_many_gcds(name: str, gcds: int) -> None:
    assert resolve_system(name).gpu_count == gcds  # '2x mi250x' was 2 GPUs of 128 GB


def test_the_module_s_datasheet_stays_as_published() -> None:
    module = gpu_by_id("mi250x")  # the reference's row: 128 GB, 3.2 TB/s, 383 TFLOPS
    assert (module.memory_gb, module.fp16_dense_tflops) == (128.0, 383.0)
    gcd = gpu_by_id("mi250x-gcd")
    assert gcd.fp16_dense_tflops * 2 == module.fp16_dense_tflops
