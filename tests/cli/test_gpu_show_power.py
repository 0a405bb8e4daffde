"""`gpu show` rows read right (issue 10). The power row: a source's "230 (total board power)" showed
as "230 W (230 (total board power))" for the RX 6700 XT; the number the row already states
is not repeated, and a text that says more than one number (a range, air/liquid) stays whole.
The core counts: an AMD card has compute units and stream processors, not SMs and CUDA cores."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.cli.catalog_commands import gpu_fact_rows, tdp_text


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu_id", "shown"),
    [
        ("rx-6700-xt", "230 W (total board power)"),  # amd.com: 230 W total board power
        ("mi250x", "500 W (560 peak)"),
        ("rtx-4090", "450 W"),  # a bare number adds nothing
        ("a2", "60 W (40-60 (configurable))"),  # a range: the row's 60 W is its top, said whole
    ],
)
def test_the_power_row(gpu_id: str, shown: str) -> None:
    assert tdp_text(gpu_by_id(gpu_id)) == shown


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu_id", "row"),
    [
        # amd.com: 40 CUs; 2,560 stream processors (64 per CU); RDNA 2 has no matrix cores
        ("rx-6700-xt", ("CUs / stream processors / matrix cores", "40 / 2,560 / —")),
        ("rtx-4090", ("SMs / CUDA cores / tensor cores", "128 / 16,384 / 512")),
    ],
)
def test_the_core_counts_use_the_vendors_words(gpu_id: str, row: tuple[str, str]) -> None:
    assert row in gpu_fact_rows(gpu_by_id(gpu_id))


@pytest.mark.unit
def test_an_apple_gpu_shows_its_gpu_cores_and_no_empty_core_or_pcie_rows() -> None:
    # Apple Newsroom 2024-10-30: the M4 Max has a 40-core GPU; it has no SMs, CUDA cores,
    # tensor cores or PCIe slot, so those rows read '— / — / —' and 'gen — x—' before.
    rows = dict(gpu_fact_rows(gpu_by_id("apple-m4-max-40c")))
    assert rows["GPU cores"] == "40"
    assert "SMs / CUDA cores / tensor cores" not in rows
    assert "PCIe" not in rows


@pytest.mark.unit
def test_a_power_limited_part_says_the_clock_the_model_gives_it_and_why() -> None:
    """300 W over 142 SMs against the RTX 4090's 450 W over 128 SMs at 2.52 GHz:
    2.52 x ((300 / 142) / (450 / 128))^(1/3) = 2.13 GHz of the 6000 Ada's 2.51 GHz boost."""
    rows = dict(gpu_fact_rows(gpu_by_id("rtx-6000-ada")))
    text = rows["Clock, dense load (model)"]
    assert text.startswith("0.85 of the 2.51 GHz boost (≈2.13 GHz): 300 W over 142 SMs")
    assert "GeForce RTX 4090 (AD102)'s 450 W over 128" in text


@pytest.mark.unit
def test_a_full_power_part_holds_its_boost_and_other_vendors_get_no_clock_row() -> None:
    assert dict(gpu_fact_rows(gpu_by_id("rtx-4090")))["Clock, dense load (model)"].startswith(
        "boost held (2.52 GHz"
    )
    assert "Clock, dense load (model)" not in dict(gpu_fact_rows(gpu_by_id("mi300x")))
