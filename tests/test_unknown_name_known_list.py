"""An unknown name that nothing is close to lists the valid names as such: 'draw things' and
'koboldcpp' got "close matches:" followed by every image engine or engine there is."""

from __future__ import annotations

import pytest

from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec
from gpuatlas.performance.media.diffusion import check_image_engine_known


def test_nothing_close_says_so_and_lists_what_is_known() -> None:
    with pytest.raises(UnknownNameError) as image:
        check_image_engine_known("draw things")
    assert "none is close; known: " in str(image.value) and "close matches" not in str(image.value)
    assert "diffusers" in image.value.candidates  # a JSON error still lists the valid names
    with pytest.raises(UnknownNameError) as engine:
        parse_engine_spec("koboldcpp")
    assert "none is close; known: " in str(engine.value)


def test_close_names_stay_close_matches() -> None:
    with pytest.raises(UnknownNameError) as engine:
        parse_engine_spec("vlm")
    assert "close matches: " in str(engine.value) and "vllm" in engine.value.candidates
    assert "comfyui-zluda" not in engine.value.candidates
