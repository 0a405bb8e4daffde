"""Unified-memory devices: the GPU may use only the OS's default share of the shared memory,
fit decisions read that share, and a device can be chosen in a memory size it is sold with."""

from __future__ import annotations

import dataclasses

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.systems import build_system
from gpuatlas.catalog.unified_memory import macos_default_gpu_share, with_memory_configuration
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.memory import memory_source
from gpuatlas.performance.peak_rates import memory_capacity_gb


def test_macos_share_is_two_thirds_up_to_36_gb_and_three_quarters_above() -> None:
    assert macos_default_gpu_share(16) == pytest.approx(2 / 3)
    assert macos_default_gpu_share(36) == pytest.approx(2 / 3)
    assert macos_default_gpu_share(64) == 0.75
    assert macos_default_gpu_share(192) == 0.75


def test_discrete_gpu_may_use_all_its_memory() -> None:
    rtx = gpu_by_id("rtx-3090")
    assert not rtx.unified_memory and rtx.gpu_usable_memory_gb == rtx.memory_gb == 24.0


def test_mac_gpu_may_use_its_default_share() -> None:
    m2_ultra = gpu_by_id("apple-m2-ultra-76c")
    assert m2_ultra.gpu_usable_memory_gb == pytest.approx(144.0)  # 3/4 of 192 GB


def test_strix_halo_gpu_may_use_its_variable_graphics_memory() -> None:
    assert gpu_by_id("ryzen-ai-max-plus-395").gpu_usable_memory_gb == pytest.approx(96.0)


def test_unified_device_without_a_documented_cap_uses_all_memory() -> None:
    assert gpu_by_id("mi300a").gpu_usable_memory_gb == 128.0


def test_fit_capacity_reads_the_gpu_usable_memory() -> None:
    m2_ultra = gpu_by_id("apple-m2-ultra-76c")
    assert memory_capacity_gb(m2_ultra) == pytest.approx(
        memory_capacity_gb(dataclasses.replace(m2_ultra, unified_memory=False)) * 0.75
    )


def test_choosing_a_memory_size_recomputes_the_mac_share() -> None:
    small = with_memory_configuration(gpu_by_id("apple-m2-ultra-76c"), 64)
    assert small.memory_gb == 64 and small.gpu_usable_memory_gb == pytest.approx(48.0)
    m4 = with_memory_configuration(gpu_by_id("apple-m4-10c"), 16)
    assert m4.gpu_usable_memory_gb == pytest.approx(16 * 2 / 3)


def test_a_size_the_device_is_not_sold_with_lists_the_sizes() -> None:
    with pytest.raises(InvalidRequestError) as error:
        with_memory_configuration(gpu_by_id("apple-m2-ultra-76c"), 96)
    assert "64 GB, 128 GB, 192 GB" in str(error.value)
    with pytest.raises(InvalidRequestError):
        with_memory_configuration(gpu_by_id("rtx-3090"), 48)


def test_gpu_show_states_the_gpu_usable_memory_and_configurations() -> None:
    result = CliRunner().invoke(app, ["gpu", "show", "apple-m1-8c"])
    assert result.exit_code == 0, result.output
    assert "GPU-usable memory" in result.output and "iogpu.wired_limit_mb" in result.output
    assert "apple-m1-8c 8GB" in result.output
    assert "GPU-usable memory" not in CliRunner().invoke(app, ["gpu", "show", "rtx-4090"]).output


@pytest.mark.unit
def test_dgx_spark_gpu_may_use_what_the_kernel_and_cuda_report() -> None:
    # 121.69 GiB total on driver 580.173.02 (nvtop#449, /proc/meminfo; CUDA's total the same)
    spark = gpu_by_id("dgx-spark-gb10")
    assert spark.gpu_usable_memory_gb == pytest.approx(121.69, abs=0.01)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu_id", "words"),
    [
        ("apple-m2-ultra-76c", "sudo sysctl iogpu.wired_limit_mb"),
        ("ryzen-ai-max-plus-395", "amdgpu.gttsize"),
        ("dgx-spark-gb10", "no setting raises it"),
    ],
)
def test_fit_names_the_unified_memory_limit_and_how_to_raise_it(gpu_id: str, words: str) -> None:
    text = memory_source(build_system(gpu_by_id(gpu_id), 1))
    assert "default share of" in text and words in text
