"""A bare chip name with a memory size that only one of its variants is sold with is read as
that variant: Apple sells the M3 Max with a 30-core GPU in 36 GB or 96 GB and with a 40-core
GPU in 48, 64 or 128 GB (Apple Newsroom 2023-10-30; gpus_apple.toml memory_options_gb)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import InvalidRequestError


def test_m3_max_36gb_is_the_30_core_gpu_and_says_so() -> None:
    system = resolve_system("M3 Max 36GB")
    assert system.gpu.id == "apple-m3-max-30c"
    assert system.gpu.memory_gb == 36
    assert system.gpu.memory_bandwidth_gb_s == 300  # the 30-core part's, not the 40-core's 400
    assumption = system.name_assumption
    assert assumption is not None
    assert "the only Apple M3 Max sold with 36 GB" in assumption.sentence
    assert "differ in memory" not in assumption.sentence  # the size is the one written


def test_a_size_both_or_neither_variant_is_sold_with_keeps_the_default_reading() -> None:
    assert resolve_system("M3 Max 128GB").gpu.id == "apple-m3-max-40c"
    with pytest.raises(InvalidRequestError, match="not sold with 40 GB; choose one of 48 GB"):
        resolve_system("M3 Max 40GB")
