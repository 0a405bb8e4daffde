"""Each non-CUDA platform (ROCm, XPU, MPS, HPU) has its own image host-time level: a ratio to
the per-forward host time of the image groups, fitted on the platform's rows, so ROCm or XPU rows
no longer move the one host time every GPU class shares (issue 10)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import ImageTerms, _Params, fit_host_ratio
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance.calibration_table import (
    Calibration,
    current_calibration,
    using_calibration,
)
from gpuatlas.performance.media.diffusion import (
    SHARED_HOST_PLATFORM,
    DiffusionPrediction,
    DiffusionWork,
    class_image_params,
    diffusion_work,
    host_platform,
    host_platform_key,
    host_time_ratio,
    image_params,
    predict_diffusion_run,
)
from gpuatlas.performance.resolve import as_diffusion, as_system


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu", "platform"),
    [
        ("rtx-4090", "cuda"),
        ("h100-sxm", "cuda"),
        ("mi100", "rocm"),
        ("rx-7900-xtx", "rocm"),
        ("arc-b580", "xpu"),
        ("apple-m1-max-32c", "mps"),
        ("gaudi2", "hpu"),
    ],
)
def test_platform_follows_the_gpus_software_stack(gpu: str, platform: str) -> None:
    assert host_platform(gpu_by_id(gpu)) == platform


def _with_rocm_ratio(ratio: float, version: str) -> Calibration:
    calibration = current_calibration()
    groups = {**calibration.groups, host_platform_key("rocm"): {"host_ratio": ratio, "n": 4.0}}
    return replace(calibration, groups=groups, version=version)


@pytest.mark.unit
def test_a_platform_without_rows_and_cuda_keep_the_groups_host_time() -> None:
    calibration = current_calibration()
    groups = {k: v for k, v in calibration.groups.items() if not k.startswith("image-host|")}
    with using_calibration(replace(calibration, groups=groups, version="host-test-none")):
        assert host_time_ratio("rocm") == 1.0
        assert host_time_ratio(SHARED_HOST_PLATFORM) == 1.0


@pytest.mark.unit
def test_the_fitted_ratio_scales_the_host_time_of_that_platform_only() -> None:
    model = as_diffusion("sd-1.5")
    amd, nvidia = as_system("mi100"), as_system("a100-40gb-sxm")
    with using_calibration(_with_rocm_ratio(2.0, "host-test-two")):
        assert image_params(amd, model).step_overhead_ms == pytest.approx(
            2.0 * class_image_params(amd, model).step_overhead_ms
        )
        assert image_params(nvidia, model).step_overhead_ms == pytest.approx(
            class_image_params(nvidia, model).step_overhead_ms
        )


def _work(gpu: str) -> DiffusionWork:
    # SD 1.5 at 512 px, batch 1, 4 steps: a forward short enough that host time shows
    return diffusion_work(
        as_system(gpu), as_diffusion("sd-1.5"), resolution_px=512, steps=4, batch=1, cfg=None
    )


def _rows(true_ratio: float) -> list[tuple[_Params, ImageTerms]]:
    params = _Params(
        eta_memory=1.0,
        eta_compute=0.6,
        step_overhead_ms=20.0,
        factor=1.0,
        sequence_overhead_us=-1.0,
    )
    rows = []
    for gpu in ("mi100", "mi210", "mi300x"):
        work = _work(gpu)
        measured = float(work.unscaled_batch_s(0.6, 20.0 * true_ratio))
        rows.append((params, ImageTerms(work, measured, 1.0, gpu, "rocm")))
    return rows


@pytest.mark.unit
def test_rows_at_the_groups_host_time_keep_a_ratio_of_one() -> None:
    assert fit_host_ratio(_rows(1.0)) == pytest.approx(1.0)


@pytest.mark.unit
def test_host_bound_rows_raise_the_ratio_toward_what_they_measured() -> None:
    # three GPUs whose forwards took 3x the host time: the ratio rises, the prior toward 1
    # keeps it below 3
    ratio = fit_host_ratio(_rows(3.0))
    assert 1.5 < ratio < 3.0


@pytest.mark.unit
def test_the_prediction_says_what_the_platforms_level_does() -> None:
    def sd15_on(system: str) -> DiffusionPrediction:
        return predict_diffusion_run(
            as_system(system),
            as_diffusion("sd-1.5"),
            resolution_px=512,
            steps=20,
            batch=1,
            cfg=None,
            weights="fp16",
        )

    with using_calibration(_with_rocm_ratio(1.5, "host-test-note")):
        found = sd15_on("mi100")
        other = sd15_on("a100-40gb-sxm")
    assert any("on rocm: 1.50x" in note and "4 measured rocm rows" in note for note in found.notes)
    assert not any("host time per denoiser forward" in note for note in other.notes)
