"""The GeForce RTX 5060 Laptop GPU (round 16): named the ways people write it, and its figures
the arithmetic of its units, clock and memory bus (not today's output): 26 SMs x 128 cores,
3,328 x 2 FLOP x 2.010 GHz for FP32, 24 Gbps x 128 bits / 8 for bandwidth, and the GB20x
GeForce per-SM tensor rates the desktop Blackwell cards use."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id, resolve_gpu


@pytest.mark.unit
@pytest.mark.parametrize(
    "name",
    [
        "RTX 5060 Laptop",
        "RTX 5060 Laptop GPU",
        "NVIDIA GeForce RTX 5060 Laptop GPU",
        "RTX 5060 Mobile",
    ],
)
def test_the_laptop_part_is_not_the_desktop_card(name: str) -> None:
    assert resolve_gpu(name).id == "rtx-5060-laptop"
    assert resolve_gpu("RTX 5060").id == "rtx-5060"


@pytest.mark.unit
def test_units_memory_and_clock_arithmetic() -> None:
    gpu = gpu_by_id("rtx-5060-laptop")
    assert (gpu.sm_count, gpu.cuda_cores, gpu.tensor_cores) == (26, 26 * 128, 26 * 4)
    assert gpu.memory_gb == 8.0
    assert gpu.memory_bandwidth_gb_s == pytest.approx(24 * 128 / 8)
    assert gpu.fp32_tflops == pytest.approx(3328 * 2 * 2.010 / 1000, rel=0.01)


@pytest.mark.unit
def test_tensor_rates_follow_the_geforce_blackwell_per_sm_rates() -> None:
    gpu = gpu_by_id("rtx-5060-laptop")
    per_sm_clock = 26 * 2.010 / 1000  # SM x GHz, in units of TFLOP/s per FLOP/clk
    assert gpu.bf16_dense_tflops == pytest.approx(512 * per_sm_clock, rel=0.01)
    assert gpu.fp8_dense_tflops == pytest.approx(1024 * per_sm_clock, rel=0.01)
    assert gpu.int8_dense_tops == pytest.approx(2048 * per_sm_clock, rel=0.01)
    assert gpu.fp4_dense_tflops == pytest.approx(8 * gpu.bf16_dense_tflops, rel=0.01)
