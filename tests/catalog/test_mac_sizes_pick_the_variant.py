"""A Mac chip named with a memory size: the size picks the variant when only one is sold with it
('M3 Max 64GB' warned "name the core count … the variants differ in memory (96-128 GB)" though
only the 40-core M3 Max is sold with 64 GB), and `gpu show` shows that size ('M4 Pro 48GB'
showed 64 GB, GPU share 48 GB, while fit used 48 GB and a 36 GB share)."""

from __future__ import annotations

import pytest

from gpuatlas.app.catalog import gpu_document, shown_gpu
from gpuatlas.catalog.system_devices import read_device


@pytest.mark.parametrize(
    ("name", "gpu_id"),
    [("M3 Max 64GB", "apple-m3-max-40c"), ("M3 Max 36GB", "apple-m3-max-30c")],
)
def test_the_only_variant_sold_with_the_size_is_said_so(name: str, gpu_id: str) -> None:
    gpu, memory_gb, assumption = read_device(name)
    assert gpu.id == gpu_id and memory_gb == float(name.split()[-1].removesuffix("GB"))
    assert assumption is not None and "the only Apple M3 Max sold with" in assumption.sentence
    assert "differ in memory" not in assumption.sentence


def test_a_size_several_variants_are_sold_with_keeps_the_warning() -> None:
    _, _, assumption = read_device("M2 Ultra 192GB")  # both M2 Ultras come with 192 GB
    assert assumption is not None and "Name the core count" in assumption.sentence


def test_gpu_show_shows_the_size_the_name_gives() -> None:
    gpu = shown_gpu("M4 Pro 48GB")
    assert gpu.memory_gb == 48.0
    assert gpu_document("M4 Pro 48GB")["gpu"]["memory_gb"] == 48.0
    assert shown_gpu("rtx 4090").id == "rtx-4090"  # any other name as before
