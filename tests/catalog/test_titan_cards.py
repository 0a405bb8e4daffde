"""TITAN RTX and TITAN V are in the catalog (hobbyists name them; both were unknown GPUs): the
TITAN RTX runs FP16 with FP32 accumulate at the full tensor rate, unlike GeForce RTX 20 cards,
and bridges two cards over NVLink; the TITAN V has no NVLink and no INT8 tensor rate."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.systems import resolve_system


@pytest.mark.parametrize(("name", "gpu_id"), [("Titan RTX", "titan-rtx"), ("titan v", "titan-v")])
def test_the_names_resolve(name: str, gpu_id: str) -> None:
    assert resolve_system(name).gpu.id == gpu_id


def test_the_titan_rtx_is_the_full_tu102_at_the_full_fp32_accumulate_rate() -> None:
    titan, geforce = gpu_by_id("titan-rtx"), gpu_by_id("rtx-2080-ti")
    # 72 SMs x 1.770 GHz x 1,024 FP16 FLOP per clock; the 2080 Ti halves it with FP32 accumulate
    assert titan.fp16_dense_tflops == pytest.approx(72 * 1.770 * 1024 / 1000, rel=0.01)
    assert titan.fp16_dense_tflops > 2 * (geforce.fp16_dense_tflops or 0)
    assert (titan.memory_gb, titan.memory_bandwidth_gb_s) == (24.0, 672.0)
    assert resolve_system("2x titan rtx").link is not None


def test_the_titan_v_has_no_int8_tensor_rate() -> None:
    titan_v = gpu_by_id("titan-v")
    assert titan_v.dense_tflops("int8") is None and titan_v.memory_gb == 12.0
