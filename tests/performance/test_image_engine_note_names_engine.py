"""A named engine costed at eager diffusers' efficiencies (ComfyUI, SwarmUI, or a name the
catalog does not know) is said to be read so in the prediction's note; diffusers itself keeps
the 'diffusers defaults assumed' note."""

from __future__ import annotations

import pytest

from gpuatlas.performance.media.diffusion import EAGER_ENGINE, engine_notes, image_engine


@pytest.mark.parametrize("engine", ["comfyui", "SwarmUI", "my-own-pipeline"])
def test_engine_read_as_eager_diffusers_is_named(engine: str) -> None:
    assert image_engine(engine, None) == EAGER_ENGINE
    (note,) = engine_notes(engine, None)
    assert note.startswith(f"{engine} read as eager PyTorch 2 with SDPA attention")
    assert "diffusers defaults assumed" not in note


@pytest.mark.parametrize("engine", ["diffusers", "HF Diffusers"])
def test_diffusers_keeps_its_defaults_note(engine: str) -> None:
    (note,) = engine_notes(engine, None)
    assert note.startswith("diffusers defaults assumed: eager PyTorch 2 with SDPA attention")
