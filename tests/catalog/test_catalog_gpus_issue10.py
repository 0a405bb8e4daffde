"""Issue 10 catalog gaps: the AMD Instinct MI50 (16 and 32 GB), the Radeon RX 580 and the Intel
Arc Pro B70, named the ways people write them (a Vulkan driver's device name, a spaced model
number, a power limit in brackets), with the figures their datasheets and unit counts give."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpu_written_names import with_model_number_joined, without_retail_words
from gpuatlas.catalog.gpus import gpu_by_id, resolve_gpu
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "gpu_id"),
    [
        ("mi50 32gb", "mi50-32gb"),
        ("AMD MI50 16G", "mi50-16gb"),
        ("Radeon Instinct MI50 32GB", "mi50-32gb"),
        ("amd instinct mi 50 32gb", "mi50-32gb"),
        ("AMD Radeon RX 580 Series (RADV POLARIS10)", "rx-580"),
        ("RX 580", "rx-580"),
        ("Arc B70", "arc-pro-b70"),
        ("Intel Arc Pro B70", "arc-pro-b70"),
        ("NVIDIA GeForce RTX 3080 Ti Laptop GPU (16GB VRAM, 115W TGP)", "rtx-3080-ti-laptop"),
        # the same driver decoration on cards the catalog already held
        ("AMD Radeon RX 7900 XTX (RADV NAVI31)", "rx-7900-xtx"),
        ("AMD Radeon RX 6800 XT Series (RADV NAVI21)", "rx-6800-xt"),
        # ROCm's bracketed LLVM target beside the card's name
        ("AMD Instinct MI50 32GB (gfx906)", "mi50-32gb"),
        ("Radeon RX 7900 XTX (gfx1100)", "rx-7900-xtx"),
    ],
)
def test_names_people_write(name: str, gpu_id: str) -> None:
    assert resolve_gpu(name).id == gpu_id


@pytest.mark.unit
@pytest.mark.parametrize("name", ["MI50", "amd instinct mi 50", "AMD Radeon Instinct MI50"])
def test_a_bare_mi50_is_ambiguous_between_its_memory_sizes(name: str) -> None:
    """Nothing in the catalog says which MI50 people mean (as for the RTX 4060 Ti): the answer
    lists both and asks for the size."""
    with pytest.raises(UnknownNameError) as raised:
        resolve_gpu(name)
    assert raised.value.ambiguous
    assert set(raised.value.candidates) == {"mi50-16gb", "mi50-32gb"}
    assert "16 GB or 32 GB" in str(raised.value)


@pytest.mark.unit
def test_four_mi50s_of_a_stated_size_are_a_system() -> None:
    system = resolve_system("4xMI50 32GB")
    assert (system.gpu.id, system.gpu_count) == ("mi50-32gb", 4)


@pytest.mark.unit
@pytest.mark.parametrize("gpu_id", ["mi50-16gb", "mi50-32gb"])
def test_mi50_is_60_vega20_cus_at_1_725_ghz_on_a_4096_bit_hbm2_bus(gpu_id: str) -> None:
    gpu = gpu_by_id(gpu_id)
    assert gpu.compute_capability == "gfx906"
    assert gpu.architecture_family == "gcn5"
    assert gpu.memory_bandwidth_gb_s == 4096 / 8 * 2.0  # 4,096-bit HBM2 at 2 Gbps = 1,024
    # 13.25, which AMD publishes as 13.3
    assert gpu.fp32_tflops == pytest.approx(3840 * 2 * 1.725 / 1000, abs=0.06)
    assert gpu.fp16_dense_tflops == pytest.approx(2 * 3840 * 2 * 1.725 / 1000, abs=0.05)  # 26.5
    assert gpu.bf16_dense_tflops is None  # no matrix units, no BF16 rate
    assert gpu.tdp_w == 300.0
    assert (gpu.pcie_generation, gpu.pcie_lanes) == (4.0, 16)


@pytest.mark.unit
def test_the_two_mi50s_differ_only_in_memory() -> None:
    small, large = gpu_by_id("mi50-16gb"), gpu_by_id("mi50-32gb")
    assert (small.memory_gb, large.memory_gb) == (16.0, 32.0)
    assert small.memory_bandwidth_gb_s == large.memory_bandwidth_gb_s == 1024.0


@pytest.mark.unit
def test_rx_580_is_36_polaris_cus_at_1_34_ghz_with_8_gbps_gddr5() -> None:
    gpu = gpu_by_id("rx-580")
    assert gpu.memory_gb == 8.0
    assert gpu.memory_bandwidth_gb_s == 8 * 256 / 8  # 8 Gbps x 256-bit = 256
    assert gpu.fp32_tflops == pytest.approx(2304 * 2 * 1.34 / 1000, abs=0.01)  # 6.17
    assert gpu.fp16_dense_tflops == gpu.fp32_tflops  # no packed FP16 on GCN 4
    assert gpu.int8_dense_tops is None


@pytest.mark.unit
def test_arc_pro_b70_is_32_xe2_cores_at_the_clock_of_its_367_int8_tops() -> None:
    gpu = gpu_by_id("arc-pro-b70")
    assert (gpu.memory_gb, gpu.memory_bandwidth_gb_s) == (32.0, 19 * 256 / 8)  # 608
    clock_ghz = gpu.int8_dense_tops / (32 * 4096) * 1000
    assert clock_ghz == pytest.approx(2.8, abs=0.01)
    assert gpu.fp16_dense_tflops == pytest.approx(gpu.int8_dense_tops / 2)
    assert gpu.fp32_tflops == pytest.approx(4096 * 2 * clock_ghz / 1000, abs=0.05)
    assert (gpu.pcie_generation, gpu.pcie_lanes, gpu.tdp_w) == (5.0, 16, 230.0)


@pytest.mark.unit
def test_packed_fp16_on_gcn_is_native_to_its_shader_alus() -> None:
    fp16 = resolve_format("fp16")
    assert fp16.is_native_on("gcn5") and fp16.is_native_on("gcn4")
    assert not resolve_format("bf16").is_native_on("gcn5")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("AMD Radeon RX 580 Series (RADV POLARIS10)", "AMD Radeon RX 580"),
        ("RTX 3080 Ti Laptop GPU (16GB VRAM, 115W TGP)", "RTX 3080 Ti Laptop GPU 16GB"),
        ("Radeon Pro W7900", "Radeon Pro W7900"),
    ],
)
def test_driver_words_and_power_limits_are_not_the_name(written: str, read: str) -> None:
    assert without_retail_words(written) == read


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("amd instinct mi 50", "amd instinct mi50"),
        ("H 100 80GB", "H100 80GB"),
        ("RTX 3090", "RTX 3090"),
        ("A100 80", "A100 80"),
        ("mi 50 32 gb", "mi50 32 gb"),
    ],
)
def test_a_model_number_written_apart_is_read_joined(written: str, read: str) -> None:
    assert with_model_number_joined(written) == read


@pytest.mark.unit
def test_mi60_is_the_full_vega20_at_1_8_ghz() -> None:
    gpu = resolve_gpu("AMD Radeon Instinct MI60")
    assert gpu.id == "mi60"
    assert (gpu.memory_gb, gpu.memory_bandwidth_gb_s, gpu.sm_count) == (32.0, 1024.0, 64)
    assert gpu.fp16_dense_tflops == pytest.approx(2 * 4096 * 2 * 1.8 / 1000, abs=0.05)  # 29.5
    assert gpu.fp32_tflops == pytest.approx(4096 * 2 * 1.8 / 1000, abs=0.06)  # 14.7


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "cards"),
    [
        # Mesa RADV on an RX 9070 XT (geerlingguy/ai-benchmarks issue 25): the chip, not the card
        ("AMD Radeon Graphics (RADV GFX1201)", ["rx-9070", "rx-9070-xt", "radeon-ai-pro-r9700"]),
        (
            "gfx1100",
            ["rx-7900-gre", "rx-7900-xt", "rx-7900-xtx", "radeon-pro-w7800", "radeon-pro-w7900"],
        ),
        ("AMD Radeon Graphics (RADV GFX1151)", ["ryzen-ai-max-plus-395", "radeon-8050s"]),
    ],
)
def test_a_chip_target_in_place_of_the_card_lists_the_cards_of_that_chip(
    written: str, cards: list[str]
) -> None:
    """Not the integrated GPUs every 'AMD Radeon Graphics' would suggest: the cards whose
    catalog entry has that LLVM target, and the advice to write the card's name."""
    with pytest.raises(UnknownNameError) as raised:
        resolve_gpu(written)
    assert raised.value.ambiguous
    assert list(raised.value.candidates) == cards
    assert "LLVM target" in str(raised.value)


@pytest.mark.unit
def test_a_chip_target_the_catalog_has_no_card_of_is_unknown_and_never_assumed() -> None:
    # gfx1010 is the RX 5700 XT's chip and the RX 5700's: one catalog card is not assumed
    with pytest.raises(UnknownNameError) as raised:
        resolve_gpu("gfx1036")
    assert not raised.value.ambiguous and "none" in str(raised.value)
    with pytest.raises(UnknownNameError) as single:
        resolve_gpu("AMD Radeon Graphics (RADV GFX1010)")
    assert list(single.value.candidates) == ["rx-5700-xt"]
