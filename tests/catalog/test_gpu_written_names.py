"""GPU names as people write them around the chip's name: a card maker's model line, a Mac's
year, memory in brackets, '(desktop)', and two GPUs joined by a slash."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu_written_names import pair_parts, without_retail_words
from gpuatlas.catalog.gpus import read_gpu_name
from gpuatlas.errors import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("MSI RTX 4090 Suprim X", "RTX 4090"),
        ("RTX 4090 Founders Edition", "RTX 4090"),
        ("ASUS TUF RTX 4090", "RTX 4090"),
        ("Sapphire Pulse RX 7900 XTX", "RX 7900 XTX"),
        ("2024 M4 Max (128GB)", "M4 Max 128GB"),
        ("RTX 4070 12GB (desktop)", "RTX 4070 12GB"),
        ("RTX A6000", "RTX A6000"),
        ("Dual RTX 3090", "Dual RTX 3090"),
        # Intel's driver name of an Arc card: trademark signs and 'Graphics' dropped
        ("Intel(R) Arc(TM) Pro B70 Graphics", "Intel Arc Pro B70"),
        ("Intel(R) Arc(tm) A310 Graphics (DG2)", "Intel Arc A310"),
        # 'Graphics' names an integrated GPU of its own beside AMD's name: kept
        ("AMD Radeon Graphics", "AMD Radeon Graphics"),
    ],
)
def test_retail_words_leave_the_chips_name(written: str, plain: str) -> None:
    assert without_retail_words(written) == plain


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("RTX 4090 Suprim X", "rtx-4090"),
        ("MSI RTX 4090 Gaming X Trio", "rtx-4090"),
        ("RTX 4070 12GB (desktop)", "rtx-4070"),
        ("2024 M4 Max (128GB)", "apple-m4-max-40c"),
        ("2023 M2 Ultra", "apple-m2-ultra-76c"),
        # as SYCL's device list prints the Battlemage workstation cards (llama.cpp issue 22413)
        ("Intel(R) Arc(TM) Pro B70 Graphics", "arc-pro-b70"),
        ("Intel(R) Arc(TM) Pro B60 Graphics", "arc-pro-b60"),
        ("Intel(R) Arc(tm) Pro B50 Graphics (BMG G21)", "arc-pro-b50"),
        # the die's code name in brackets, as spec databases and reviews write a card
        ("NVIDIA RTX 3090 (GA102, 24 GB)", "rtx-3090"),
        ("NVIDIA GeForce RTX 4090 (AD102)", "rtx-4090"),
        ("RTX 4060 Ti (AD106, 16 GB)", "rtx-4060-ti-16gb"),
        ("RTX 4060 Ti (16 GB, AD106)", "rtx-4060-ti-16gb"),
        ("AMD Radeon RX 7900 XTX (Navi 31)", "rx-7900-xtx"),
        ("H100 SXM (GH100, 80 GB)", "h100-sxm"),
        # a card sold on two dies: the code name does not pick another product
        ("RTX 3060 12GB (GA104)", "rtx-3060-12gb"),
    ],
)
def test_a_retail_or_dated_name_resolves_to_the_chip(written: str, gpu_id: str) -> None:
    assert read_gpu_name(written)[0].id == gpu_id


@pytest.mark.unit
def test_the_assumption_quotes_the_name_as_written() -> None:
    gpu, assumption = read_gpu_name("2021 M1 Pro (16GB)")
    assert gpu.id == "apple-m1-pro-16c"
    assert assumption is not None and assumption.written == "2021 M1 Pro (16GB)"


@pytest.mark.unit
def test_two_gpus_joined_by_a_slash_read_as_the_first_and_say_so() -> None:
    gpu, assumption = read_gpu_name("H100/H200")
    assert gpu.id == "h100-sxm"
    assert assumption is not None and assumption.other_variants == ("h200-sxm",)
    assert "lists two GPUs" in assumption.sentence
    assert pair_parts("RTX 3090/4090") == ("RTX 3090", "RTX 4090")
    assert pair_parts("RTX 4090") is None


@pytest.mark.unit
def test_a_pair_whose_second_gpu_is_ambiguous_still_reads_as_its_first() -> None:
    # llama.cpp PR #25441 writes its test card as 'MI60 / MI50'; the bare MI50 is 16 or 32 GB
    gpu, assumption = read_gpu_name("MI60 / MI50")
    assert gpu.id == "mi60"
    assert assumption is not None
    assert set(assumption.other_variants) == {"mi50-16gb", "mi50-32gb"}
    assert "lists two GPUs" in assumption.sentence
    with pytest.raises(UnknownNameError):  # an ambiguous first GPU is not chosen for the user
        read_gpu_name("MI50 / MI60")


@pytest.mark.unit
def test_a_memory_ambiguous_name_stays_ambiguous_with_or_without_the_makers_words() -> None:
    for written in ("4060Ti", "MSI RTX 4060 Ti Gaming X"):
        with pytest.raises(UnknownNameError) as raised:
            read_gpu_name(written)
        assert raised.value.ambiguous
        assert set(raised.value.candidates) == {"rtx-4060-ti-8gb", "rtx-4060-ti-16gb"}
        assert "sold with 8 GB or 16 GB" in str(raised.value)
        assert "write the size" in str(raised.value)
    assert read_gpu_name("4060Ti 16GB")[0].id == "rtx-4060-ti-16gb"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("Arc 140V", "arc-140v"),
        ("Intel(R) Arc(TM) 140V GPU", "arc-140v"),
        ("Core Ultra 7 258V", "arc-140v"),
        ("Intel Arc 130V", "arc-130v"),
    ],
)
def test_lunar_lake_igpus_read_by_their_names(written: str, gpu_id: str) -> None:
    assert read_gpu_name(written)[0].id == gpu_id


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "candidates"),
    [
        ("Intel(R) Graphics (LNL)", {"arc-140v", "arc-130v"}),
        ("Intel(R) Arc(tm) Graphics (MTL)", {"arc-meteor-lake-8c", "arc-meteor-lake-7c"}),
    ],
)
def test_mesas_platform_name_of_an_intel_igpu_is_refused_with_its_configurations(
    written: str, candidates: set[str]
) -> None:
    # llama.cpp's Vulkan log prints Mesa's name: the platform, not the GPU (7 or 8 Xe2 cores)
    with pytest.raises(UnknownNameError) as raised:
        read_gpu_name(written)
    assert raised.value.ambiguous
    assert set(raised.value.candidates) == candidates
    assert "CPU model" in str(raised.value)


@pytest.mark.unit
def test_a_platform_without_an_igpu_in_the_catalog_says_so() -> None:
    with pytest.raises(UnknownNameError, match="no Panther Lake iGPU is in the catalog"):
        read_gpu_name("Intel(R) Graphics (PTL)")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("AMD Radeon(TM) 890M Graphics (gfx1150)", "radeon-890m"),
        ("AMD Ryzen AI 9 HX 370", "radeon-890m"),
        ("Radeon 880M", "radeon-880m"),
    ],
)
def test_strix_point_igpus_read_by_their_names(written: str, gpu_id: str) -> None:
    assert read_gpu_name(written)[0].id == gpu_id


@pytest.mark.unit
def test_strix_points_llvm_target_alone_names_both_igpus() -> None:
    with pytest.raises(UnknownNameError, match="radeon-890m, radeon-880m"):
        read_gpu_name("gfx1150")


@pytest.mark.unit
def test_a_chip_code_name_does_not_settle_a_size_the_name_leaves_open() -> None:
    """The RTX 4060 Ti ships with 8 or 16 GB on the same AD106: the die's name says neither."""
    with pytest.raises(UnknownNameError, match="8 GB or 16 GB"):
        read_gpu_name("RTX 4060 Ti (AD106)")
