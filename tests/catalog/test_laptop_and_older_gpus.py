"""Laptop GPUs people own and older desktop cards still in use (issue 10): the names users and
nvidia-smi write resolve to them, and their figures are the vendor's, or derived from the vendor's
core counts and clocks (a laptop part at the top of its boost range, the catalog's convention)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("NVIDIA GeForce RTX 4070 Laptop GPU", "rtx-4070-laptop"),
        ("RTX 4070 Laptop", "rtx-4070-laptop"),
        ("NVIDIA GeForce RTX 4050 Laptop GPU", "rtx-4050-laptop"),
        ("NVIDIA GeForce RTX 3060 Laptop GPU", "rtx-3060-laptop"),
        ("RTX 3070 Mobile", "rtx-3070-laptop"),
        ("RTX 3080 Laptop 16GB", "rtx-3080-laptop-16gb"),
        ("RTX 3080 Laptop 8GB", "rtx-3080-laptop-8gb"),
        ("NVIDIA GeForce RTX 2070 with Max-Q Design", "rtx-2070-max-q"),
        ("RTX 2070 Max-Q", "rtx-2070-max-q"),
        ("RTX 2060 Laptop", "rtx-2060-laptop"),
        ("NVIDIA GeForce GTX 1080", "gtx-1080"),
        ("GTX 1660 Super", "gtx-1660-super"),
        ("RTX 2060 12GB", "rtx-2060-12gb"),
        ("GTX 1070 Ti", "gtx-1070-ti"),
        ("NVIDIA GeForce RTX 3080 Ti Laptop GPU", "rtx-3080-ti-laptop"),
        ("NVIDIA GeForce GTX 1660 Ti", "gtx-1660-ti"),
        ("NVIDIA GeForce GTX 1650", "gtx-1650"),
        ("GTX 1660", "gtx-1660"),
        ("NVIDIA GeForce RTX 3050", "rtx-3050-8gb"),
        ("NVIDIA GeForce RTX 5080 Laptop GPU", "rtx-5080-laptop"),
        ("RTX 5070 Laptop", "rtx-5070-laptop"),
    ],
)
def test_names_as_written_resolve_to_the_new_entries(written: str, gpu_id: str) -> None:
    assert resolve_system(written).gpu.id == gpu_id


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("RTX 2060", "rtx-2060"),
        ("GTX 1080 Ti", "gtx-1080-ti"),
        ("RTX 4070", "rtx-4070"),
        ("RTX 3080 Ti", "rtx-3080-ti"),
        ("RTX 5080", "rtx-5080"),
        ("RTX 5070", "rtx-5070"),
        ("GTX 1660 Super", "gtx-1660-super"),
    ],
)
def test_desktop_namesakes_still_resolve_to_the_desktop_card(written: str, gpu_id: str) -> None:
    assert resolve_system(written).gpu.id == gpu_id


@pytest.mark.unit
def test_the_rtx_3080_laptop_without_a_size_asks_for_it() -> None:
    with pytest.raises(UnknownNameError) as error:
        resolve_system("NVIDIA GeForce RTX 3080 Laptop GPU")
    assert error.value.ambiguous
    assert "8 GB or 16 GB" in str(error.value)


# (id, CUDA cores, boost GHz used, memory GB, memory Gbps, bus bits, top TGP W)
_VENDOR_FIGURES = [
    ("rtx-4070-laptop", 4608, 2.175, 8.0, 16, 128, 115.0),
    ("rtx-4050-laptop", 2560, 2.370, 6.0, 16, 96, 115.0),
    ("rtx-3060-laptop", 3840, 1.703, 6.0, 14, 192, 115.0),
    ("rtx-3070-laptop", 5120, 1.620, 8.0, 14, 256, 125.0),
    ("rtx-3080-laptop-16gb", 6144, 1.710, 16.0, 14, 256, 150.0),
    ("rtx-3080-laptop-8gb", 6144, 1.710, 8.0, 14, 256, 150.0),
    ("rtx-2070-max-q", 2304, 1.185, 8.0, 12, 256, 90.0),
    ("rtx-2060-laptop", 1920, 1.200, 6.0, 14, 192, 90.0),
    ("gtx-1080", 2560, 1.733, 8.0, 10, 256, 180.0),
    ("gtx-1660-super", 1408, 1.785, 6.0, 14, 192, 125.0),
    ("rtx-2060-12gb", 2176, 1.650, 12.0, 14, 192, 184.0),
    ("gtx-1070-ti", 2432, 1.683, 8.0, 8, 256, 180.0),
    ("rtx-3080-ti-laptop", 7424, 1.590, 16.0, 16, 256, 150.0),
    ("gtx-1660-ti", 1536, 1.770, 6.0, 12, 192, 120.0),
    ("gtx-1650", 896, 1.665, 4.0, 8, 128, 75.0),
    ("gtx-1660", 1408, 1.785, 6.0, 8, 192, 120.0),
    ("rtx-3050-8gb", 2560, 1.777, 8.0, 14, 128, 130.0),
    ("rtx-5080-laptop", 7680, 2.287, 16.0, 28, 256, 150.0),
    ("rtx-5070-laptop", 4608, 2.347, 8.0, 24, 128, 100.0),
]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu_id", "cores", "boost_ghz", "memory_gb", "gbps", "bus_bits", "tdp_w"), _VENDOR_FIGURES
)
def test_figures_are_the_vendors(
    gpu_id: str,
    cores: int,
    boost_ghz: float,
    memory_gb: float,
    gbps: int,
    bus_bits: int,
    tdp_w: float,
) -> None:
    gpu = gpu_by_id(gpu_id)
    assert gpu.cuda_cores == cores
    assert gpu.memory_gb == memory_gb
    assert gpu.memory_bandwidth_gb_s == gbps * bus_bits / 8
    assert gpu.fp32_tflops == pytest.approx(cores * 2 * boost_ghz / 1000, abs=0.05)
    assert gpu.tdp_w == tdp_w


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu_id", "ai_tops_sparse"), [("rtx-4070-laptop", 321), ("rtx-4050-laptop", 194)]
)
def test_ada_laptop_int8_matches_nvidias_ai_tops(gpu_id: str, ai_tops_sparse: int) -> None:
    # NVIDIA's 'AI TOPS' for Ada is sparse FP8/INT8: twice the dense INT8 rate.
    assert 2 * (gpu_by_id(gpu_id).int8_dense_tops or 0.0) == pytest.approx(ai_tops_sparse, abs=1)


@pytest.mark.unit
def test_turing_laptop_tensor_rate_is_sms_times_clock_times_512() -> None:
    # Turing GeForce: FP16 with FP32 accumulate, 512 FLOP per clock per SM.
    gpu = gpu_by_id("rtx-2070-max-q")
    assert gpu.fp16_dense_tflops == pytest.approx(36 * 1.185 * 512 / 1000, abs=0.05)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu_id", "ai_tops_sparse"), [("rtx-5080-laptop", 1334), ("rtx-5070-laptop", 798)]
)
def test_blackwell_laptop_fp4_matches_nvidias_ai_tops(gpu_id: str, ai_tops_sparse: int) -> None:
    # NVIDIA's 'AI TOPS' for GeForce Blackwell is sparse FP4: twice the dense FP4 rate, and 16x
    # the dense FP16 rate with FP32 accumulate.
    gpu = gpu_by_id(gpu_id)
    assert 2 * (gpu.fp4_dense_tflops or 0.0) == pytest.approx(ai_tops_sparse, abs=1)
    assert 16 * (gpu.fp16_dense_tflops or 0.0) == pytest.approx(ai_tops_sparse, abs=2)


@pytest.mark.unit
def test_ampere_rtx_3050_tensor_rate_is_sms_times_clock_times_512() -> None:
    # GA10x GeForce: FP16 with FP32 accumulate, 512 FLOP per clock per SM (whitepaper App. A).
    assert gpu_by_id("rtx-3050-8gb").fp16_dense_tflops == pytest.approx(
        20 * 1.777 * 512 / 1000, abs=0.05
    )


@pytest.mark.unit
@pytest.mark.parametrize("gpu_id", ["gtx-1650", "gtx-1660"])
def test_turing_without_tensor_cores_has_no_tensor_rates(gpu_id: str) -> None:
    gpu = gpu_by_id(gpu_id)
    assert gpu.tensor_cores == 0
    assert not gpu.dense_tflops("fp16")
    assert not gpu.dense_tflops("int8")
