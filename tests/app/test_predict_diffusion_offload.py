"""`gpuatlas predict diffusion` of a pipeline that needs CPU offload names the first smaller
denoiser format that needs none, with its speed (FLUX.1-dev on a 24 GB card: fp8)."""

from __future__ import annotations

from gpuatlas.app.predict import PredictDiffusionRequest, predict_diffusion_document
from gpuatlas.numbers import format_number
from gpuatlas.performance import api


def _document(system: str, model: str) -> dict[str, object]:
    request = PredictDiffusionRequest.model_validate({"system": system, "model": model})
    return predict_diffusion_document(request)


def test_flux_dev_on_a_4090_offloads_in_bf16_but_not_in_fp8() -> None:
    document = _document("rtx-4090", "flux.1-dev")
    assert document["needs_cpu_offload"] is True and document["weights"] == "bf16"
    fp8 = api.predict_diffusion("rtx-4090", "flux.1-dev", weights="fp8")
    assert not fp8.needs_cpu_offload
    assert document["without_offload"] == (
        f"fp8 needs no CPU offload: {format_number(fp8.s_per_image.value, 's/image')} "
        f"[{format_number(fp8.s_per_image.low)} – {format_number(fp8.s_per_image.high)}] "
        "(-w fp8)"
    )


def test_a_pipeline_without_offload_gets_no_such_line() -> None:
    document = _document("rtx-4090", "sdxl")
    assert document["needs_cpu_offload"] is False and "without_offload" not in document
