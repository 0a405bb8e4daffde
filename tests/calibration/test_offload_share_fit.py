"""The share of a card's PCIe link offloaded diffusion weights stream at is fitted inside
calibrate on the rows that offload (every cross-validation fold refits it), not set by hand
(issue 10)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.calibration.image_pipeline_fit import (
    PipelineRow,
    fit_offload_share,
    offloading,
)
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.calibration_table import current_calibration, using_calibration
from gpuatlas.performance.media.diffusion import (
    PIPELINE_KEY,
    PIPELINE_PRIORS,
    DiffusionWork,
    diffusion_work,
    pipeline_constants,
)
from gpuatlas.performance.media.pipeline_compute import offload_bytes_s
from gpuatlas.performance.resolve import as_diffusion

# FLUX.1-dev partly loaded on 8-12 GB cards streams the rest every step; SD 1.5 fits
OFFLOADING = (("rtx-4060", 20), ("rtx-3060-12gb", 20), ("rtx-3080-10gb", 28))


def _work(gpu: str, model: str, steps: int, engine: str = "comfyui") -> DiffusionWork:
    return diffusion_work(
        resolve_system(gpu),
        as_diffusion(model),
        resolution_px=1024 if model == "flux.1-dev" else 512,
        steps=steps,
        batch=1,
        cfg=None,
        weights="fp8" if model == "flux.1-dev" else "fp16",
        engine=engine,
    )


def _rows(true_share: float) -> list[PipelineRow]:
    """Rows whose 'measured' batch time is the model's own with weights streaming at
    `true_share` of the link (η 0.5, 15 ms per forward)."""
    rows = []
    for gpu, steps in OFFLOADING:
        work = _work(gpu, "flux.1-dev", steps)
        truth = replace(PIPELINE_PRIORS, offload_share=true_share)
        measured = float(work.at_constants(truth).unscaled_batch_s(0.5, 15.0))
        rows.append(PipelineRow(0.5, 15.0, 0.0, work, measured, gpu))
    return rows


@pytest.mark.unit
def test_offloaded_time_scales_inversely_with_the_share() -> None:
    work = _work("rtx-4060", "flux.1-dev", 20)
    assert work.offload_s > 0
    # half the share the work was computed at (the packaged calibration's fitted share)
    half = work.at_constants(replace(PIPELINE_PRIORS, offload_share=work.offload_share / 2))
    assert half.offload_s == pytest.approx(2 * work.offload_s)
    assert half.offload_share == pytest.approx(work.offload_share / 2)


@pytest.mark.unit
def test_the_fit_recovers_the_share_the_rows_were_built_with() -> None:
    fitted = fit_offload_share(_rows(0.35), PIPELINE_PRIORS, prior_rows=0.0)
    assert fitted.offload_share == pytest.approx(0.35)
    # the other constants are left as they were
    assert fitted.pipeline_host_ms == PIPELINE_PRIORS.pipeline_host_ms
    assert fitted.convolution_ratio == PIPELINE_PRIORS.convolution_ratio


@pytest.mark.unit
def test_the_prior_shrinks_the_share_and_rows_without_offload_leave_it() -> None:
    shrunk = fit_offload_share(_rows(0.35), PIPELINE_PRIORS, prior_rows=2.0)
    assert 0.35 < shrunk.offload_share < PIPELINE_PRIORS.offload_share
    fits = _work("h100-sxm", "sd-1.5", 20, engine="diffusers")
    row = PipelineRow(0.5, 15.0, 0.0, fits, 1.0, "h100-sxm")
    assert offloading([row]) == []
    assert fit_offload_share([row], PIPELINE_PRIORS, prior_rows=2.0) == PIPELINE_PRIORS


@pytest.mark.unit
def test_predictions_stream_at_the_fitted_share() -> None:
    calibration = current_calibration()
    group = {**calibration.groups.get(PIPELINE_KEY, {}), "offload_share": 0.3}
    groups = {**calibration.groups, PIPELINE_KEY: group}
    with using_calibration(replace(calibration, version="offload-share-0.3", groups=groups)):
        assert pipeline_constants().offload_share == pytest.approx(0.3)
        work = _work("rtx-4060", "flux.1-dev", 20)
        assert work.offload_share == pytest.approx(0.3)
        # the note states the rate the prediction used: 0.3 of the 4060's PCIe 4.0 x8
        rate = offload_bytes_s(resolve_system("rtx-4060").gpu, 0.3) / 1e9
        assert any(f"{rate:.1f} GB/s" in note for note in work.notes)
