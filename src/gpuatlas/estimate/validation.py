"""Leave-one-GPU-out cross-validation of the calibrated models, and the error bands it gives.

For each GPU, fit on every other GPU's rows and predict this GPU's rows: the errors are what
a user sees for a GPU the calibration has not measured. The roofline baseline predicts the
same rows at 100 % of peak, with no overheads.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gpuatlas.catalog.measurements import MeasuredRow
from gpuatlas.estimate.calibration import Calibration, using_calibration
from gpuatlas.estimate.clocks import datasheet_peaks
from gpuatlas.estimate.engines import all_engines, engine_overheads_off
from gpuatlas.estimate.fit import (
    BAND_QUANTILE,
    MIN_LOG_BAND,
    Observation,
    fit_calibration,
    log_error,
    observations,
    predicted_value,
)


@dataclass(frozen=True)
class Prediction:
    observation: Observation
    predicted: float

    @property
    def log_error(self) -> float:
        return log_error(self.observation, self.predicted)

    @property
    def ape(self) -> float:
        """Absolute percentage error of the prediction against the measurement."""
        return abs(self.predicted - self.observation.row.value) / self.observation.row.value


def predict_all(items: Sequence[Observation], calibration: Calibration) -> list[Prediction]:
    with using_calibration(calibration):
        found = [(item, predicted_value(item)) for item in items]
    return [Prediction(item, value) for item, value in found if value is not None]


def leave_one_gpu_out(rows: Sequence[MeasuredRow], base: Calibration) -> list[Prediction]:
    items = observations(rows)
    predictions: list[Prediction] = []
    for gpu in sorted({item.row.gpu for item in items}):
        training = [row for row in rows if row.gpu != gpu]
        fitted = fit_calibration(training, base, version=f"cv-without-{gpu}")
        held_out = [item for item in items if item.row.gpu == gpu]
        predictions += predict_all(held_out, fitted)
    return predictions


def roofline_calibration(base: Calibration) -> Calibration:
    """Every efficiency 1.0 and no overheads: the '100 % of peak' baseline."""
    ones = {family: 1.0 for family in base.eta_memory_prior_by_family}
    groups: dict[str, dict[str, float]] = {}
    for kind in ("decode", "prefill", "serving", "image", "train", "vision"):
        for engine in (*(profile.id for profile in all_engines()), "diffusers",
                       "diffusers-compiled", "tensorrt", "pytorch"):
            groups[f"{kind}|{engine}|*|*"] = {
                "eta_memory": 1.0, "eta_compute": 1.0, "step_overhead_ms": 0.0, "factor": 1.0,
            }
    return replace(base, version="roofline-100pct", eta_memory_prior_by_family=ones,
                   eta_compute_prior_by_family=ones, groups=groups, errors={}, covered={})


def roofline_predictions(items: Sequence[Observation], base: Calibration) -> list[Prediction]:
    """The pure roofline: 100 % of peak and no fixed costs, not even the engine profiles'."""
    with engine_overheads_off(), datasheet_peaks():
        return predict_all(items, roofline_calibration(base))


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[position]


def error_summary(predictions: Sequence[Prediction]) -> dict[str, dict[str, float]]:
    """Per kind: n, median and p90 APE, and the log band covering BAND_QUANTILE of errors."""
    by_kind: dict[str, list[Prediction]] = {}
    for prediction in predictions:
        by_kind.setdefault(prediction.observation.kind, []).append(prediction)
    summary = {}
    for kind, found in sorted(by_kind.items()):
        apes = [p.ape for p in found]
        logs = [abs(p.log_error) for p in found]
        summary[kind] = {
            "n": float(len(found)),
            "median_ape": statistics.median(apes),
            "p90_ape": percentile(apes, 0.9),
            "log_band": max(MIN_LOG_BAND, percentile(logs, BAND_QUANTILE)),
        }
    return summary


def rows_digest(rows: Sequence[MeasuredRow]) -> str:
    """A short content hash of the measured rows (part of the calibration version)."""
    import hashlib

    text = "\n".join(f"{r.row_id}|{r.gpu}|{r.model}|{r.metric}|{r.value}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


ECONOMICS_MODULES = frozenset(
    {"cost.py", "power.py", "tco.py", "capacity.py", "fleet.py", "planning.py"}
)


def model_code_digest() -> str:
    """A short hash of the prediction models' code and engine profiles (part of the version),
    so a model change yields a new calibration version even when the data is unchanged."""
    import hashlib
    from pathlib import Path

    folder = Path(__file__).resolve().parent
    files = sorted(
        path
        for path in [*folder.glob("*.py"), folder / "data" / "engines.toml"]
        if path.name not in ECONOMICS_MODULES and not path.name.startswith("economics_")
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:6]


def calibrate(rows: Sequence[MeasuredRow], base: Calibration, date: str) -> Calibration:
    """Fit on every row; bands from leave-one-GPU-out errors (what an unmeasured GPU sees).

    The version is `<date>.<hash of the measured rows>.<hash of the model code>`."""
    version = f"{date}.{rows_digest(rows)}.{model_code_digest()}"
    fitted = fit_calibration(rows, base, version=version)
    errors = error_summary(leave_one_gpu_out(rows, base))
    return replace(fitted, errors=errors)
