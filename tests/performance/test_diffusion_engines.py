"""Image engines without measured rows of their own take the measured gain of the engine they
resemble (stable-fast: torch.compile's), and every prediction says what it assumed about the
engine (issue 10)."""

from __future__ import annotations

import pytest

from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.media.diffusion import gain_source_engine


def _s_per_image(gpu: str, engine: str = "diffusers", variant: str | None = None) -> float:
    found = api.predict_diffusion(gpu, "sd-1.5", steps=30, engine=engine, variant=variant)
    return found.s_per_image.value


def test_stable_fast_without_rows_of_its_own_borrows_torch_compiles_gain() -> None:
    groups = current_calibration().groups
    assert not any(key.startswith("image|stable-fast|") for key in groups)
    assert gain_source_engine("stable-fast") == "diffusers-compiled"
    for gpu in ("a100-40gb-sxm", "h100-sxm", "rtx-4090"):
        compiled = _s_per_image(gpu, variant="torch.compile")
        assert _s_per_image(gpu, engine="stable-fast") == pytest.approx(compiled)
        assert compiled < _s_per_image(gpu)


def test_stable_fast_prediction_says_whose_gain_it_took() -> None:
    found = api.predict_diffusion("h100-sxm", "sd-1.5", engine="stable-fast")
    assert any("stable-fast has no measured rows" in note for note in found.notes)
    assert found.s_per_image.notes == found.notes


def test_default_diffusers_prediction_states_the_assumed_setup() -> None:
    default = api.predict_diffusion("rtx-4090", "sdxl").notes
    assert any("eager PyTorch 2 with SDPA attention, no torch.compile" in n for n in default)
    compiled = api.predict_diffusion("rtx-4090", "sdxl", variant="torch.compile").notes
    assert not any("no torch.compile" in note for note in compiled)
