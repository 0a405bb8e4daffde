"""Community fine-tunes of image models resolve to their base's architecture, said as such."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("Juggernaut XL", "sdxl-base-1.0"),
        ("RunDiffusion/Juggernaut-XL-v9", "sdxl-base-1.0"),
        ("SG161222/RealVisXL_V4.0", "sdxl-base-1.0"),
        ("SG161222/Realistic_Vision_V5.1_noVAE", "sd-1.5"),
        ("Lykon/dreamshaper-8", "sd-1.5"),
        ("SDXL Juggernaut XL version 11", "sdxl-base-1.0"),
        ("SD 1.5 Realistic Vision version 6", "sd-1.5"),
    ],
)
def test_a_fine_tune_named_without_its_base_reads_as_the_base(name: str, base: str) -> None:
    reference = resolve_model_reference(name)
    assert reference.model.id == base
    assert reference.matched_by == "derived_checkpoint"


def test_a_name_that_only_shares_letters_is_still_unknown() -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference("juggernautish-diffusion")
