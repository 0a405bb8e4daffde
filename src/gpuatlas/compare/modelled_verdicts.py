"""Verdicts where a side is modelled: measured vs modelled and modelled vs modelled.

A modelled value comes with the calibration's band (value·exp(±log band), the observed error
of that kind of prediction: 92–100% of held-out measurements fall inside it). Here the band is
read as a 90% interval of a log-normal error: σ = ln(high/value) / 1.645 above the value and
ln(value/low) / 1.645 below it. A ratio against a modelled side resamples that error (and the
measured side's spread, from its runs or the noise model) and takes the 95% percentile
interval; two modelled sides are resampled independently (conservative: errors of one model on
two GPUs are partly shared, which would narrow the ratio's interval).

The verdict is kept apart from measured verdicts: ``verdict_vs_model`` returns the same four
outcomes on that interval, and callers label the result ``vs_model`` (never a measured win).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from gpuatlas.compare.verdicts import EQUIVALENCE_BAND, Verdict, verdict_for
from gpuatlas.statistics import (
    BOOTSTRAP_RESAMPLES,
    FloatArray,
    Interval,
    MedianBootstrap,
    RatioEstimate,
    percentile_interval,
)

BAND_Z = 1.6448536269514722  # the band read as a 90% interval
VS_MODEL = "vs_model"


class Basis(StrEnum):
    """What a ratio compares."""

    MEASURED = "measured"
    MEASURED_VS_MODELLED = "measured_vs_modelled"
    MODELLED = "modelled"


@dataclass(frozen=True)
class ModelledValue:
    """A prediction with its calibrated band (low ≤ value ≤ high, all > 0)."""

    value: float
    low: float
    high: float

    def replicates(self, seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> FloatArray:
        """Draws of the true value given the prediction (log-normal, asymmetric band)."""
        z = np.random.default_rng(seed).standard_normal(resamples)
        below = np.log(self.value / self.low) / BAND_Z if self.low > 0 else 0.0
        above = np.log(self.high / self.value) / BAND_Z if self.value > 0 else 0.0
        sigma = np.where(z < 0, below, above)
        return np.asarray(self.value * np.exp(z * sigma), dtype=np.float64)


Side = MedianBootstrap | ModelledValue


def _draws(side: Side, seed: int) -> tuple[float, FloatArray]:
    if isinstance(side, ModelledValue):
        return side.value, side.replicates(seed)
    return side.median, side.replicates_or_held(BOOTSTRAP_RESAMPLES)[:BOOTSTRAP_RESAMPLES]


def basis_of(a: Side, b: Side) -> Basis:
    modelled = isinstance(a, ModelledValue) + isinstance(b, ModelledValue)
    return (Basis.MEASURED, Basis.MEASURED_VS_MODELLED, Basis.MODELLED)[modelled]


def ratio_vs_model(a: Side, b: Side, higher_is_better: bool, seed: int) -> RatioEstimate:
    """A over B oriented so > 1 means A is better, with a 95% interval from both sides' draws
    (at least one side modelled)."""
    a_value, a_draws = _draws(a, seed)
    b_value, b_draws = _draws(b, seed + 1)
    if higher_is_better:
        point, replicates = a_value / b_value, a_draws / b_draws
    else:
        point, replicates = b_value / a_value, b_draws / a_draws
    low, high = percentile_interval(replicates)
    return RatioEstimate(Interval(point, low, high), np.asarray(replicates), True)


def verdict_vs_model(ratio: Interval, band: float = EQUIVALENCE_BAND) -> Verdict:
    """The outcome the interval supports, to be shown as modelled (``vs_model``)."""
    return verdict_for(ratio, band)
