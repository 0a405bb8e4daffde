"""InvokeAI is a diffusers frontend by its own source (StableDiffusionGeneratorPipeline extends
diffusers' StableDiffusionPipeline): an image request naming it is costed as diffusers and the
answer keeps the name written. DiffusionBee, whose source names no diffusers or Core ML backend,
stays unknown with close matches."""

from __future__ import annotations

import pytest

from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec
from gpuatlas.performance.media.diffusion import check_image_engine_known


@pytest.mark.unit
@pytest.mark.parametrize("written", ["InvokeAI", "Invoke AI", "invoke-ai/InvokeAI"])
def test_invokeai_runs_diffusers(written: str) -> None:
    spec = parse_engine_spec(written)
    assert spec.engine == "diffusers" and spec.frontend is not None
    assert spec.frontend.startswith("InvokeAI")
    check_image_engine_known(written)


@pytest.mark.unit
def test_diffusionbee_is_not_read_as_an_engine_it_may_not_run() -> None:
    with pytest.raises(UnknownNameError) as error:
        parse_engine_spec("DiffusionBee")
    assert error.value.candidates
