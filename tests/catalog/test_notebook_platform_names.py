"""GPUs named as notebook users name them: `colab t4` suggested an A100, `kaggle p100` an
A100 and a Max 1100, and Kaggle's 'T4x2' was unknown (a trailing count needed a space)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.systems import resolve_system

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("written", "system_id"),
    [
        ("colab t4", "t4"),
        ("Google Colab T4", "t4"),
        ("kaggle p100", "p100-16gb-pcie"),  # Kaggle's P100 is the 16 GB PCIe card
        ("kaggle t4x2", "2x t4"),
        ("T4x2", "2x t4"),
        ("h100x8", "8x h100-sxm"),
        ("mi300x", "mi300x"),  # a name ending in x is not a count
        ("rx 7900 xtx", "rx-7900-xtx"),
    ],
)
def test_notebook_and_compact_names_resolve(written: str, system_id: str) -> None:
    assert resolve_system(written).id == system_id
