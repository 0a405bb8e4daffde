"""`cost --workload image` prices the denoiser format `--weights` names (it was ignored: FLUX.1
dev on an RTX 4090 cost $0.00363 per image with `-w fp8` as without), says which format each
system ran, and names the systems that offload the denoiser to the CPU with the smaller format
that fits (bf16 FLUX.1 dev on a 24 GB card: sequential offload, 38 s per image; fp8 fits
whole at ~7.6 s), as `predict diffusion` does."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_document, cost_report, image_offload_notes
from gpuatlas.performance import api

pytestmark = pytest.mark.unit
VALUES = {"model": "flux.1-dev", "workload": "image", "steps": 20, "resolution": 768}


def _request(**more: object) -> RentingCostRequest:
    return RentingCostRequest.model_validate({**VALUES, "gpus": ["rtx-4090"], **more})


def test_the_named_format_is_priced() -> None:
    plain, fp8 = cost_report(_request()), cost_report(_request(weights="fp8"))
    seconds = api.predict_diffusion("rtx-4090", "flux.1-dev", resolution=768, steps=20)
    fp8_seconds = api.predict_diffusion(
        "rtx-4090", "flux.1-dev", resolution=768, steps=20, weights="fp8"
    )
    assert plain.jobs[0].hours.value * 3600 == pytest.approx(seconds.s_per_image.value)
    assert fp8.jobs[0].hours.value * 3600 == pytest.approx(fp8_seconds.s_per_image.value)
    assert "fp8" in fp8.jobs[0].work and "bf16" in plain.jobs[0].work


def test_an_offloaded_denoiser_is_named_with_the_format_that_fits() -> None:
    request = _request()
    report = cost_report(request)
    assert report.jobs[0].offload == "sequential"
    (note,) = image_offload_notes(report, request)
    assert note.startswith("rtx-4090 offloads flux.1-dev in bf16 to the CPU (sequential offload")
    assert note.endswith("(--weights fp8)") and "; fp8 fits whole: " in note
    assert cost_document(request)["image_offload_notes"] == [note]
    assert image_offload_notes(cost_report(_request(weights="fp8")), _request(weights="fp8")) == []
