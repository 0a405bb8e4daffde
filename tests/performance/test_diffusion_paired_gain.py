"""An image engine's gain over eager diffusers is measured on the GPUs it was fitted on: its
level over eager's on the same hardware classes, not over eager's level pooled over every GPU
(issue 10)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gpuatlas.performance.calibration_table import (
    Calibration,
    current_calibration,
    using_calibration,
)
from gpuatlas.performance.media.diffusion import (
    engine_gain,
    image_params,
)
from gpuatlas.performance.resolve import as_diffusion, as_system

SF_A100 = "image|stable-fast|ampere/hbm|*"


def _calibration_with(groups: dict[str, dict[str, float]], version: str) -> Calibration:
    calibration = current_calibration()
    kept = {k: v for k, v in calibration.groups.items() if not k.startswith("image|")}
    return replace(calibration, groups={**kept, **groups}, version=version)


def _groups(eta: dict[str, float]) -> dict[str, dict[str, float]]:
    return {
        key: {"eta_compute": value, "step_overhead_ms": 20.0, "n": 2.0}
        for key, value in eta.items()
    }


def test_gain_is_the_engines_level_over_eagers_on_the_same_class() -> None:
    # stable-fast fitted on A100s only; eager diffusers pooled over every GPU sits higher than
    # on A100s (GeForce cards): the gain is 0.6 / 0.5 on the A100 class, not 0.6 / 0.7
    groups = _groups(
        {
            "image|diffusers|*|*": 0.7,
            "image|diffusers|ampere/hbm|*": 0.5,
            "image|diffusers|ada/consumer|*": 0.9,
            "image|stable-fast|*|*": 0.6,
            SF_A100: 0.6,
            "image|stable-fast|hbm|*": 0.6,
        }
    )
    with using_calibration(_calibration_with(groups, "test-paired-gain")):
        eta_gain, overhead_ratio = engine_gain("stable-fast", "ada/consumer", "unet")
        assert eta_gain == pytest.approx(0.6 / 0.5)
        assert overhead_ratio == pytest.approx(1.0)
        system, model = as_system("rtx-4090"), as_diffusion("sdxl")
        eager = image_params(system, model)
        fast = image_params(system, model, "stable-fast")
        assert fast.eta_compute == pytest.approx(min(1.0, eager.eta_compute * 0.6 / 0.5))


def test_gain_prefers_classes_of_the_cases_memory_class_weighted_by_rows() -> None:
    groups = _groups(
        {
            "image|diffusers|*|*": 0.6,
            "image|diffusers|ampere/hbm|*": 0.5,
            "image|diffusers|hopper/hbm|*": 0.5,
            "image|diffusers|ampere/consumer|*": 0.8,
            "image|tensorrt|*|*": 0.8,
            "image|tensorrt|ampere/hbm|*": 0.75,
            "image|tensorrt|hopper/hbm|*": 0.9,
            "image|tensorrt|ampere/consumer|*": 1.0,
        }
    )
    groups["image|tensorrt|hopper/hbm|*"]["n"] = 6.0
    with using_calibration(_calibration_with(groups, "test-paired-gain-weights")):
        # an HBM part with no TensorRT group of its own: the two HBM classes, 2 and 6 rows
        expected = math.exp((2 * math.log(0.75 / 0.5) + 6 * math.log(0.9 / 0.5)) / 8)
        assert engine_gain("tensorrt", "volta/hbm", "unet")[0] == pytest.approx(expected)
        # a consumer card: the consumer class only
        assert engine_gain("tensorrt", "ada/consumer", "unet")[0] == pytest.approx(1.0 / 0.8)


def test_without_a_paired_class_the_gain_is_the_ratio_of_the_general_levels() -> None:
    groups = _groups({"image|diffusers|*|*": 0.5, "image|coreml|*|*": 0.4})
    with using_calibration(_calibration_with(groups, "test-unpaired-gain")):
        assert engine_gain("coreml", "apple9/gddr", "unet")[0] == pytest.approx(0.4 / 0.5)
