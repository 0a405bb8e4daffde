"""Apple chip names as people write them in benchmark threads (issue 10): a CPU core count where
the GPU core count would stand ("Apple M4 Max 48GB 16 Core"), a memory size inside the name, the
Mac model in front ("MacBook Pro M1 Max 32 core"). Each reads as the GPU variant Apple sells with
that configuration, and a reading that chose between variants says so."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu_variants import _family_problems
from gpuatlas.catalog.gpus import read_gpu_name, resolve_gpu
from gpuatlas.catalog.system_devices import read_device
from gpuatlas.errors import UnknownNameError

pytestmark = pytest.mark.unit


def test_a_cpu_core_count_reads_as_the_gpu_variant_apple_pairs_with_it() -> None:
    gpu, memory_gb, assumption = read_device("Apple M4 Max 48GB 16 Core")
    assert (gpu.id, memory_gb) == ("apple-m4-max-40c", 48.0)
    assert assumption is not None
    assert "16-core CPU with the 40-core GPU" in assumption.sentence
    assert "14-core CPU with the 32-core GPU" in assumption.sentence


@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("M4 Max 14-core CPU", "apple-m4-max-32c"),
        ("M4 Max 16 cores", "apple-m4-max-40c"),
        ("M4 Pro 14 core", "apple-m4-pro-20c"),
        ("M4 Pro 12-core", "apple-m4-pro-16c"),
    ],
)
def test_cpu_core_counts_of_m4_pro_and_max(written: str, gpu_id: str) -> None:
    gpu, assumption = read_gpu_name(written)
    assert gpu.id == gpu_id
    assert assumption is not None and "CPU core count" in assumption.reason


def test_a_count_that_is_a_gpu_core_count_keeps_its_gpu_reading() -> None:
    """The M4 Pro is sold with a 16-core GPU: '16 core' names that GPU, not a CPU."""
    gpu, assumption = read_gpu_name("M4 Pro 16 core")
    assert gpu.id == "apple-m4-pro-16c" and assumption is None


def test_a_count_that_is_neither_stays_an_error() -> None:
    with pytest.raises(UnknownNameError):
        resolve_gpu("M4 Max 12 core")


def test_the_mac_model_in_front_is_dropped() -> None:
    assert resolve_gpu("MacBook Pro M1 Max 32 core").id == "apple-m1-max-32c"
    assert resolve_gpu("Mac Studio M2 Ultra 60-core").id == "apple-m2-ultra-60c"


def test_a_memory_size_both_variants_are_sold_with_states_the_reading() -> None:
    gpu, assumption = read_gpu_name("M3 Pro 18GB")
    assert gpu.id == "apple-m3-pro-18c"
    assert assumption is not None and assumption.other_variants == ("apple-m3-pro-14c",)


def test_a_memory_size_only_one_variant_has_settles_the_variant() -> None:
    gpu, assumption = read_gpu_name("M4 Max 36GB")
    assert gpu.id == "apple-m4-max-32c" and assumption is None
    gpu, assumption = read_gpu_name("M4 Max 48GB")
    assert gpu.id == "apple-m4-max-40c" and assumption is None


def test_a_memory_size_the_chip_is_not_sold_with_is_not_ignored() -> None:
    with pytest.raises(UnknownNameError):
        resolve_gpu("M4 Max 40-core 24GB")


def test_cpu_core_pairings_must_name_one_count_per_variant() -> None:
    table = {
        "name": "Apple M9 Max",
        "variants": ["a", "b"],
        "cpu_cores": [16],
        "reason": "r",
        "source": "s",
        "as_of": "2026-12-02",
    }
    assert any("cpu_cores" in problem for problem in _family_problems(1, table))


@pytest.mark.parametrize("name", ["jetson-agx-orin-64gb", "Jetson AGX Orin 64GB"])
def test_a_one_size_device_named_with_its_size_is_that_device(name: str) -> None:
    # the size inside the name is the only size it is sold with: not a configuration to choose
    gpu, _, _ = read_device(name)
    assert gpu.id == "jetson-agx-orin-64gb"
