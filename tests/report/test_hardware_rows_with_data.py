"""The compare hardware table: a spec neither side has is left out (a row of '—' against '—'
says nothing), and an Apple GPU's core count is shown (Apple Newsroom 2024-10-30: M4 Max,
40-core GPU), where its SM, CUDA-core and tensor-core rows read '—'."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.report.sections.hardware import _fields_with_data

pytestmark = pytest.mark.unit


def test_apple_against_nvidia_shows_gpu_cores_and_drops_the_link_neither_has() -> None:
    fields = {
        f.attribute: f
        for f in _fields_with_data(gpu_by_id("apple-m4-max-40c"), gpu_by_id("rtx-4090"))
    }
    assert fields["gpu_cores"].read(gpu_by_id("apple-m4-max-40c")) == 40
    assert "sm_count" in fields  # the RTX 4090 has 128 SMs
    assert "link.per_direction_gb_s" not in fields  # neither has a GPU-to-GPU link


def test_two_nvidia_cards_keep_every_core_row_and_add_no_apple_row() -> None:
    fields = {
        f.attribute for f in _fields_with_data(gpu_by_id("h100-sxm"), gpu_by_id("a100-80gb-sxm"))
    }
    assert {"sm_count", "cuda_cores", "tensor_cores", "link.per_direction_gb_s"} <= fields
    assert "gpu_cores" not in fields
