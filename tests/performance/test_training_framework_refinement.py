"""A training framework that refines another's levels (training_engines.toml `levels_from`:
the Hugging Face Trainer, Megatron, DeepSpeed on PyTorch's) is fitted as a ratio to that
framework's level on each row's own hardware: its rows on one GPU family must not replace the
base framework's per-family levels on every other family."""

from __future__ import annotations

import pytest

from gpuatlas.calibration.fitting import fit_calibration
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.calibration_table import (
    Calibration,
    calibration_text,
    parse_calibration,
)

PRIOR = (1.0, 0.5, 0.0)


def _calibration(groups: dict[str, dict[str, float]]) -> Calibration:
    return Calibration("test", "m", {}, {}, groups=groups)


@pytest.mark.unit
@pytest.mark.parametrize(("hardware", "expected"), [("ampere/hbm", 0.3), ("hopper/hbm", 0.35)])
def test_a_refining_framework_scales_the_base_level_of_each_hardware_class(
    hardware: str, expected: float
) -> None:
    calibration = _calibration(
        {
            "train|pytorch|ampere/hbm|16bit": {"eta_compute": 0.6},
            "train|pytorch|hopper/hbm|16bit": {"eta_compute": 0.7},
            "train|hf-trainer|*|*": {"eta_compute_ratio": 0.5},
        }
    )
    values = calibration.neutral_params("train", PRIOR, "hf-trainer", hardware, "16bit")
    assert values["eta_compute"] == pytest.approx(expected)
    base = calibration.neutral_params("train", PRIOR, "pytorch", hardware, "16bit")
    assert base["eta_compute"] == pytest.approx(2.0 * expected)


@pytest.mark.unit
def test_refinements_at_several_levels_multiply() -> None:
    calibration = _calibration(
        {
            "train|pytorch|*|*": {"eta_compute": 0.6},
            "train|hf-trainer|*|*": {"eta_compute_ratio": 0.5},
            "train|hf-trainer|hbm|16bit": {"eta_compute_ratio": 1.2},
        }
    )
    values = calibration.neutral_params("train", PRIOR, "hf-trainer", "ampere/hbm", "16bit")
    assert values["eta_compute"] == pytest.approx(0.6 * 0.5 * 1.2)
    gddr = calibration.neutral_params("train", PRIOR, "hf-trainer", "ada/gddr", "16bit")
    assert gddr["eta_compute"] == pytest.approx(0.6 * 0.5)


@pytest.mark.unit
def test_fitted_framework_keys_are_ratios_and_base_keys_levels() -> None:
    rows = [row for row in load_measurements(None) if row.metric == "train_tok_s"]
    fitted = fit_calibration(rows, parse_calibration(calibration_text()), "refinement-test")
    own = {k: v for k, v in fitted.groups.items() if k.startswith("train|hf-trainer|")}
    base = {k: v for k, v in fitted.groups.items() if k.startswith("train|pytorch|")}
    assert own and base
    assert all("eta_compute_ratio" in v and "eta_compute" not in v for v in own.values())
    assert all("eta_compute" in v and "eta_compute_ratio" not in v for v in base.values())
