"""GPUs people run llama.cpp and small servers on (issue 10): RDNA 1/2/3 Radeons, the RTX 5050 and
5060, Arc B570 and A580, Apple M5 / M5 Pro / M5 Max. Each resolves by the names people write, and
its figures are the ones its datasheet arithmetic gives (bus width x data rate, shaders x 2 FLOP x
clock), so a wrong digit in the data file fails here."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id, resolve_gpu
from gpuatlas.errors import UnknownNameError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("AMD Radeon RX 5700 XT", "rx-5700-xt"),
        ("5700xt", "rx-5700-xt"),
        ("RX 6600", "rx-6600"),
        ("rx 6650xt", "rx-6650-xt"),
        ("Radeon RX 6750 XT", "rx-6750-xt"),
        ("RX 6800", "rx-6800"),
        ("RX 6800 XT", "rx-6800-xt"),
        ("RX 7600", "rx-7600"),
        ("RX 7600 XT", "rx-7600-xt"),
        ("AMD Radeon RX 7800 XT", "rx-7800-xt"),
        ("NVIDIA GeForce RTX 5050", "rtx-5050"),
        ("RTX 5060", "rtx-5060"),
        ("RTX 5060 Ti", "rtx-5060-ti-16gb"),
        ("Intel Arc B570", "arc-b570"),
        ("Intel(R) Arc(TM) A580 Graphics", "arc-a580"),
        ("Apple M5", "apple-m5-10c"),
        ("M5 Pro", "apple-m5-pro-20c"),
        ("M5 Max 40-core GPU", "apple-m5-max-40c"),
    ],
)
def test_names_people_write_resolve(written: str, gpu_id: str) -> None:
    assert resolve_gpu(written).id == gpu_id


@pytest.mark.parametrize("written", ["RX 6600 XT", "RX 5700", "RX 7900", "RX 7700 XT"])
def test_a_name_without_its_xt_is_not_read_as_the_xt_card(written: str) -> None:
    """The XT is another product (more compute units, other memory): a name without it, or with it
    where the catalog has only the plain card, must not silently become the other one."""
    with pytest.raises(UnknownNameError):
        resolve_gpu(written)


def test_rx_6800_is_not_the_6800_xt() -> None:
    plain, xt = gpu_by_id("rx-6800"), gpu_by_id("rx-6800-xt")
    assert (plain.sm_count, xt.sm_count) == (60, 72)
    assert plain.memory_bandwidth_gb_s == xt.memory_bandwidth_gb_s == 512.0  # 256-bit x 16 Gbps
    assert plain.fp32_tflops == pytest.approx(3840 * 2 * 2.105e9 / 1e12, abs=0.01)


@pytest.mark.parametrize(
    ("gpu_id", "bus_bits", "gbps"),
    [
        ("rx-5700-xt", 256, 14),
        ("rx-6600", 128, 14),
        ("rx-6650-xt", 128, 17.5),
        ("rx-6750-xt", 192, 18),
        ("rx-7600", 128, 18),
        ("rx-7600-xt", 128, 18),
        ("rx-7800-xt", 256, 19.5),
        ("rtx-5050", 128, 20),
        ("rtx-5060", 128, 28),
        ("arc-b570", 160, 19),
        ("arc-a580", 256, 16),
    ],
)
def test_bandwidth_is_bus_width_times_data_rate(gpu_id: str, bus_bits: int, gbps: float) -> None:
    assert gpu_by_id(gpu_id).memory_bandwidth_gb_s == pytest.approx(bus_bits * gbps / 8)


@pytest.mark.parametrize(
    ("gpu_id", "fp32_per_clock", "clock_ghz"),
    [
        ("rx-5700-xt", 2560 * 2, 1.905),
        ("rx-6600", 1792 * 2, 2.491),
        ("rx-6650-xt", 2048 * 2, 2.635),
        ("rx-6750-xt", 2560 * 2, 2.6),
        ("rx-7600", 2048 * 4, 2.655),  # RDNA 3 dual issue
        ("rx-7600-xt", 2048 * 4, 2.755),
        ("rx-7800-xt", 3840 * 4, 2.43),
        ("rtx-5050", 2560 * 2, 2.57),
        ("rtx-5060", 3840 * 2, 2.497),
        ("arc-b570", 2304 * 2, 2.5),
        ("arc-a580", 3072 * 2, 1.7),
        ("apple-m5-10c", 10 * 256, 1.578),
    ],
)
def test_fp32_is_lanes_times_two_times_clock(
    gpu_id: str, fp32_per_clock: int, clock_ghz: float
) -> None:
    assert gpu_by_id(gpu_id).fp32_tflops == pytest.approx(
        fp32_per_clock * clock_ghz / 1000, rel=0.005
    )


def test_geforce_blackwell_tensor_rates_match_nvidias_ai_tops() -> None:
    """NVIDIA's AI TOPS is FP4 with sparsity = 16 x the dense FP16 (FP32 accumulate) rate."""
    assert (gpu_by_id("rtx-5050").fp16_dense_tflops or 0) * 16 == pytest.approx(421, rel=0.005)
    assert (gpu_by_id("rtx-5060").fp16_dense_tflops or 0) * 16 == pytest.approx(614, rel=0.005)


def test_rdna1_and_rdna2_have_no_matrix_rate_beyond_packed_fp16() -> None:
    for gpu_id in ("rx-5700-xt", "rx-6600", "rx-6650-xt", "rx-6750-xt", "rx-6800"):
        gpu = gpu_by_id(gpu_id)
        assert gpu.fp16_dense_tflops == pytest.approx(2 * (gpu.fp32_tflops or 0), rel=0.005)
        assert gpu.int8_dense_tops is None and gpu.bf16_dense_tflops is None


def test_m5_family_bandwidth_and_memory_are_apples() -> None:
    expected = {
        "apple-m5-10c": (153.0, 32.0),
        "apple-m5-pro-20c": (307.0, 64.0),
        "apple-m5-max-40c": (614.0, 128.0),
    }
    for gpu_id, (bandwidth, memory) in expected.items():
        gpu = gpu_by_id(gpu_id)
        assert (gpu.memory_bandwidth_gb_s, gpu.memory_gb) == (bandwidth, memory)
        # Neural Accelerators: 1024 FP16 matrix FLOP per core per clock against 256 vector FP32.
        assert gpu.fp16_dense_tflops == pytest.approx(4 * (gpu.fp32_tflops or 0), rel=0.005)
