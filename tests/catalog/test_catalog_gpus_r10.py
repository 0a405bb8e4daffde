"""GPUs people name in late 2026 that were unknown: Instinct MI350X, Radeon RX 9060 XT (8 and
16 GB), the Strix Halo Radeon 8050S (Ryzen AI Max 390 / 385), Arc Pro B50, RTX PRO 2000
Blackwell.

Expected values are the vendors' announced figures and the arithmetic of their units and clocks
(compute units x ops per clock x GHz), not today's output."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id, resolve_gpu
from gpuatlas.errors import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "gpu_id"),
    [
        ("MI350X", "mi350x"),
        ("AMD Instinct MI350X", "mi350x"),
        ("RX 9060 XT 16GB", "rx-9060-xt-16gb"),
        ("Radeon RX 9060 XT 8GB", "rx-9060-xt-8gb"),
        ("Ryzen AI Max 390", "radeon-8050s"),
        ("AMD Ryzen AI Max 385", "radeon-8050s"),
        ("Radeon 8050S", "radeon-8050s"),
        ("Arc Pro B50", "arc-pro-b50"),
        ("Intel Arc Pro B50", "arc-pro-b50"),
        ("RTX PRO 2000 Blackwell", "rtx-pro-2000-blackwell"),
        ("Ryzen AI Max+ 395", "ryzen-ai-max-plus-395"),
    ],
)
def test_names_people_write_resolve(name: str, gpu_id: str) -> None:
    assert resolve_gpu(name).id == gpu_id


@pytest.mark.unit
def test_bare_rx_9060_xt_asks_for_the_memory_size() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu("RX 9060 XT")
    assert "rx-9060-xt-16gb" in str(caught.value)
    assert "rx-9060-xt-8gb" in str(caught.value)


@pytest.mark.unit
def test_mi350x_is_the_mi355x_die_at_2_2_ghz() -> None:
    mi350x, mi355x = gpu_by_id("mi350x"), gpu_by_id("mi355x")
    assert mi350x.memory_gb == mi355x.memory_gb == 288.0
    assert mi350x.memory_bandwidth_gb_s == 8000.0
    assert mi350x.tdp_w == 1000.0
    # 256 CUs x 4,096 FP16 FLOP/clock x 2.2 GHz; AMD states 2.3 PFLOPS
    assert mi350x.fp16_dense_tflops == pytest.approx(256 * 4096 * 2.2e9 / 1e12, rel=1e-3)
    assert mi350x.fp16_dense_tflops == pytest.approx(mi355x.fp16_dense_tflops * 2.2 / 2.4, rel=1e-3)
    # FP4 with sparsity = 4 x FP8 dense x 2 = 18.45 PFLOPS (AMD, ISC 2025)
    assert mi350x.fp8_dense_tflops is not None
    assert 2 * 2 * mi350x.fp8_dense_tflops / 1000 == pytest.approx(18.45, rel=2e-3)


@pytest.mark.unit
def test_rx_9060_xt_rates_match_amds_821_int4_tops() -> None:
    for gpu_id, memory_gb in (("rx-9060-xt-16gb", 16.0), ("rx-9060-xt-8gb", 8.0)):
        gpu = gpu_by_id(gpu_id)
        assert gpu.memory_gb == memory_gb
        assert gpu.memory_bandwidth_gb_s == 128 / 8 * 20  # 128-bit GDDR6 at 20 Gbps
        assert gpu.int4_dense_tops is not None
        assert 2 * gpu.int4_dense_tops == pytest.approx(821, rel=2e-3)  # sparse headline
        assert gpu.fp16_dense_tflops == pytest.approx(32 * 1024 * 3.13e9 / 1e12, rel=1e-3)


@pytest.mark.unit
def test_radeon_8050s_is_32_of_strix_halos_40_cus() -> None:
    small, big = gpu_by_id("radeon-8050s"), gpu_by_id("ryzen-ai-max-plus-395")
    assert small.unified_memory and small.memory_bandwidth_gb_s == big.memory_bandwidth_gb_s
    assert small.sm_count == 32 and big.sm_count == 40
    assert small.fp16_dense_tflops == pytest.approx(32 * 512 * 2.8e9 / 1e12, rel=1e-3)


@pytest.mark.unit
def test_arc_pro_b50_and_rtx_pro_2000() -> None:
    b50 = gpu_by_id("arc-pro-b50")
    assert (b50.memory_gb, b50.memory_bandwidth_gb_s, b50.tdp_w) == (16.0, 224.0, 70.0)
    assert b50.int8_dense_tops == 170.0 and b50.fp16_dense_tflops == 85.2  # XMX FP16 = INT8/2
    pro2000 = gpu_by_id("rtx-pro-2000-blackwell")
    assert (pro2000.memory_gb, pro2000.memory_bandwidth_gb_s, pro2000.tdp_w) == (16.0, 288.0, 70.0)
    assert pro2000.fp4_dense_tflops is not None
    assert 2 * pro2000.fp4_dense_tflops == pytest.approx(543.1, rel=1e-3)  # sparse headline
    assert pro2000.fp16_dense_tflops == pytest.approx(34 * 1024 * 1.95e9 / 1e12, rel=1e-3)
