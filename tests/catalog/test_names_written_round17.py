"""Names the round-17 held-out sources write that the parser did not read: an Apple chip followed
by the Mac it sits in ('M2 Air'), the colloquial 'Ada A6000' / 'Ampere A6000' for the two
48 GB workstation cards, Stability's checkpoint file name 'sd_xl_base_1.0' and the bare 'SD3'
(the only openly released SD3 weights are SD3 Medium)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import read_gpu_name, without_mac_model
from gpuatlas.catalog.models import resolve_model
from gpuatlas.catalog.names import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "chip"),
    [
        ("M2 Air", "M2"),
        ("M4 Mac mini", "M4"),
        ("M3 Max MacBook Pro", "M3 Max"),
        ("Apple M1 Pro MacBook", "Apple M1 Pro"),
        ("Mac Studio M2 Ultra", "M2 Ultra"),
        ("M2 Ultra (76-core GPU)", "M2 Ultra (76-core GPU)"),
    ],
)
def test_the_mac_a_chip_sits_in_is_dropped_before_or_after_it(written: str, chip: str) -> None:
    assert without_mac_model(written) == chip


@pytest.mark.unit
def test_a_chip_in_a_macbook_air_reads_as_the_chip() -> None:
    assert read_gpu_name("M2 Air")[0].id == read_gpu_name("M2")[0].id


@pytest.mark.unit
def test_a_lone_mac_word_is_not_a_gpu() -> None:
    with pytest.raises(UnknownNameError):
        read_gpu_name("Air")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [("Ada A6000", "rtx-6000-ada"), ("A6000 Ada", "rtx-6000-ada"), ("Ampere A6000", "rtx-a6000")],
)
def test_the_generation_word_picks_the_48gb_workstation_card(written: str, gpu_id: str) -> None:
    gpu, assumption = read_gpu_name(written)
    assert (gpu.id, assumption) == (gpu_id, None)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [("sd_xl_base_1.0", "sdxl-base-1.0"), ("SD3", "sd-3-medium"), ("sd3", "sd-3-medium")],
)
def test_checkpoint_and_short_image_model_names(written: str, model_id: str) -> None:
    assert resolve_model(written).id == model_id


@pytest.mark.unit
def test_a_bare_sd35_stays_ambiguous() -> None:
    with pytest.raises(UnknownNameError):
        resolve_model("sd3.5")
