"""An image engine no table names is refused with close matches (as an unknown GPU or model
is), not costed as diffusers; every name engines.toml or a measurement row gives resolves to
the engine that table names."""

from __future__ import annotations

import pytest

from gpuatlas.errors import UnknownNameError
from gpuatlas.performance import api
from gpuatlas.performance.media.diffusion import check_image_engine_known, image_engine


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("foo-ui", None),
        ("diffuser", "diffusers"),
        ("tensor rt", "tensorrt"),
        ("comfy", "diffusers"),
    ],
)
def test_an_unknown_image_engine_is_refused_with_close_matches(
    name: str, suggested: str | None
) -> None:
    with pytest.raises(UnknownNameError) as raised:
        check_image_engine_known(name)
    assert raised.value.kind == "image engine"
    assert raised.value.candidates  # the close matches, else every image engine
    if suggested is not None:
        assert suggested in raised.value.candidates


def test_predict_diffusion_refuses_an_unknown_engine() -> None:
    with pytest.raises(UnknownNameError, match="unknown image engine 'foo'"):
        api.predict_diffusion("rtx-4090", "sdxl", engine="foo")


@pytest.mark.parametrize(
    ("name", "engine_id"),
    [
        ("diffusers", "diffusers"),
        ("ComfyUI", "diffusers"),
        ("SwarmUI", "diffusers"),
        ("pytorch", "diffusers"),  # MLPerf's SDXL rows
        ("Stable Diffusion WebUI", "sd-webui"),  # engines.toml names it so
        ("stable_diffusion_webui", "sd-webui"),
        ("Forge", "sd-webui"),
        ("Apple CoreML", "coreml"),
        ("ml-stable-diffusion", "coreml"),
        ("TRT", "tensorrt"),
        ("stable_fast", "stable-fast"),
        ("torch.compile", "diffusers-compiled"),
    ],
)
def test_known_names_resolve_to_their_engine(name: str, engine_id: str) -> None:
    check_image_engine_known(name)
    assert image_engine(name) == engine_id
