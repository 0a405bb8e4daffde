"""The image pipeline's host time per batch and convolution ratio are fitted inside calibrate
(every cross-validation fold refits them), not picked on the packaged rows (issue 10)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gpuatlas.calibration.image_pipeline_fit import PipelineRow, fit_pipeline_constants
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.calibration_table import (
    calibration_document,
    current_calibration,
    parse_calibration,
    using_calibration,
)
from gpuatlas.performance.media.diffusion import (
    PIPELINE_KEY,
    PIPELINE_PRIORS,
    PipelineConstants,
    diffusion_work,
    pipeline_constants,
)
from gpuatlas.performance.media.pipeline_compute import combined_peak
from gpuatlas.performance.resolve import as_diffusion

TRUE = PipelineConstants(pipeline_host_ms=50.0, convolution_ratio=0.6)
NEUTRAL = PipelineConstants(pipeline_host_ms=0.0, convolution_ratio=1.0)

# (GPU, model, resolution, steps, batch): few-step rows carry the host time per batch, UNets
# and DiTs with different convolution shares carry the ratio
CASES = (
    ("a100-80gb-sxm", "sd-turbo", 512, 1, 1),
    ("a100-80gb-sxm", "sd-turbo", 512, 4, 1),
    ("a100-80gb-sxm", "sd-1.5", 512, 30, 1),
    ("a100-80gb-sxm", "sdxl", 1024, 30, 1),
    ("h100-sxm", "sd-1.5", 512, 50, 4),
    ("h100-sxm", "sdxl", 1024, 20, 1),
    ("h100-sxm", "flux.1-dev", 1024, 28, 1),
    ("l4", "sd-1.5", 512, 25, 1),
    ("l4", "sdxl-turbo", 512, 1, 1),
)


def _synthetic_rows(truth: PipelineConstants) -> list[PipelineRow]:
    """Rows whose 'measured' batch time is the model's own at `truth` (η 0.5, 15 ms/forward)."""
    rows = []
    for gpu, model, side, steps, batch in CASES:
        work = diffusion_work(
            resolve_system(gpu),
            as_diffusion(model),
            resolution_px=side,
            steps=steps,
            batch=batch,
            cfg=None,
        )
        measured = float(work.at_constants(truth).unscaled_batch_s(0.5, 15.0))
        rows.append(PipelineRow(0.5, 15.0, 0.0, work, measured, gpu))
    return rows


@pytest.mark.unit
def test_the_fit_recovers_the_constants_the_rows_were_built_with() -> None:
    fitted = fit_pipeline_constants(_synthetic_rows(TRUE), NEUTRAL, prior_rows=0.0)
    assert fitted.pipeline_host_ms == pytest.approx(50.0)
    assert fitted.convolution_ratio == pytest.approx(0.6)


@pytest.mark.unit
def test_the_prior_shrinks_the_fit_toward_itself() -> None:
    rows = _synthetic_rows(TRUE)
    # three GPUs' exact rows against two pseudo-GPUs at the prior: between the two
    fitted = fit_pipeline_constants(rows, NEUTRAL, prior_rows=2.0)
    assert 0.0 < fitted.pipeline_host_ms < 50.0
    assert 0.6 < fitted.convolution_ratio < 1.0
    # no rows: the prior
    assert fit_pipeline_constants([], NEUTRAL, prior_rows=2.0) == NEUTRAL


@pytest.mark.unit
def test_constants_set_the_rates_and_the_host_time_of_a_work() -> None:
    work = diffusion_work(
        resolve_system("h100-sxm"),
        as_diffusion("sd-1.5"),
        resolution_px=512,
        steps=30,
        batch=1,
        cfg=None,
    )
    at = work.at_constants(TRUE)
    conv_peak, matmul_peak = work.tensor_peaks
    matmul = work.forward_flops - work.convolution_flops
    rates = (conv_peak * 0.6, matmul_peak)
    assert at.peak_flops == pytest.approx(combined_peak(work.convolution_flops, matmul, rates))
    # SD 1.5 at 512 px is about half convolutions: at 0.6 of the peak they take 1/0.6 as long
    half = 1.0 / (0.52 / (0.6 * conv_peak) + 0.48 / matmul_peak)
    assert at.peak_flops == pytest.approx(half, rel=0.02)
    assert at.pipeline_s(0.5) - work.at_constants(replace(TRUE, pipeline_host_ms=0.0)).pipeline_s(
        0.5
    ) == pytest.approx(0.050)


@pytest.mark.unit
def test_predictions_use_the_fitted_constants_else_the_priors() -> None:
    calibration = current_calibration()
    without = {k: v for k, v in calibration.groups.items() if k != PIPELINE_KEY}
    with using_calibration(replace(calibration, version="no-pipeline", groups=without)):
        assert pipeline_constants() == PIPELINE_PRIORS
    fitted = {**without, PIPELINE_KEY: {"pipeline_host_ms": 50.0, "convolution_ratio": 0.6}}
    with using_calibration(replace(calibration, version="pipeline-50-0.6", groups=fitted)):
        assert pipeline_constants() == TRUE


@pytest.mark.unit
def test_a_calibration_with_the_fitted_pipeline_constants_reads_back() -> None:
    """calibrate writes the image-pipeline group; the shipped file must parse with it (round
    13's first regeneration wrote a file its own reader refused)."""
    fitted = {"pipeline_host_ms": 35.0, "convolution_ratio": 1.1, "n": 319.0}
    calibration = replace(current_calibration(), groups={PIPELINE_KEY: fitted})
    text = json.dumps(calibration_document(calibration, "test rows"))
    assert parse_calibration(text).groups[PIPELINE_KEY] == fitted
