"""ComfyUI-Zluda (issue 10): ComfyUI run through ZLUDA on AMD GPUs under Windows. Its launchers
start ComfyUI with sub-quadratic attention (the scores go through memory in chunks; ZLUDA runs
no flash attention), so with no calibration rows of its own it is costed as eager diffusers
with materialised attention on the AMD GPU, says so and is marked extrapolated; it loads a
denoiser that does not fit in part as ComfyUI does, and it runs on AMD GPUs only."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.measurements import ENGINES
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.api import predict_diffusion
from gpuatlas.performance.engine_specs import check_image_engine_runs_on
from gpuatlas.performance.media.diffusion import (
    engine_notes,
    gain_source_engine,
    image_engine,
    materialised_attention,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("written", ["ComfyUI-Zluda", "comfyui zluda", "comfyui-n"])
def test_comfyui_zluda_as_users_write_it(written: str) -> None:
    assert image_engine(written) == "comfyui-zluda"


def test_it_is_costed_at_the_materialised_attention_levels_and_says_so() -> None:
    assert gain_source_engine("comfyui-zluda") == "diffusers-vanilla-attention"
    assert materialised_attention("ComfyUI-Zluda", None)
    (note,) = engine_notes("ComfyUI-Zluda", None)
    assert "--use-quad-cross-attention" in note and "extrapolated" in note


def test_it_runs_on_amd_gpus_only() -> None:
    check_image_engine_runs_on("comfyui-zluda", resolve_gpu("rx-9070-xt"))
    with pytest.raises(GpuAtlasError, match="AMD"):
        check_image_engine_runs_on("comfyui-zluda", resolve_gpu("rtx-4090"))


def test_an_answer_is_the_vanilla_attention_value_marked_extrapolated() -> None:
    zluda = predict_diffusion("rx-7900-xtx", "sdxl", engine="comfyui-zluda")
    vanilla = predict_diffusion("rx-7900-xtx", "sdxl", engine="diffusers-vanilla-attention")
    assert zluda.s_per_image.value == pytest.approx(vanilla.s_per_image.value)
    assert zluda.s_per_image.extrapolated


def test_a_flux_that_does_not_fit_16_gb_is_loaded_in_part_as_comfyui_does() -> None:
    zluda = predict_diffusion("rx-9070-xt", "flux.1-dev", engine="comfyui-zluda")
    assert zluda.offload == "partial"


def test_measured_rows_may_name_the_new_engines() -> None:
    assert {"comfyui-zluda", "exllama", "exllamav3"} <= ENGINES
