"""One row per benchmark of a pair: measured on both sides, or against a modelled side.

A row says what its ratio compares (``basis``): ``measured`` (both sides measured: verdict
a_faster / b_faster / roughly_equal / inconclusive), ``measured_vs_modelled`` or ``modelled``
(verdict ``vs_model``, its outcome on the interval in ``direction``), or ``none`` (no ratio:
``reason`` says why). Every renderer labels the verdict through ``verdict_label``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gpuatlas.compare import BenchmarkComparison, BenchmarkInfo, BenchmarkSamples, Verdict
from gpuatlas.compare.modelled_verdicts import Basis, ModelledValue, ratio_vs_model
from gpuatlas.compare.noise import NoiseLookup, NoiseModel
from gpuatlas.compare.spread import spread_of
from gpuatlas.compare.verdicts import verdict_for
from gpuatlas.statistics import MedianBootstrap, RatioEstimate, stable_seed

VERDICT_LABELS = {
    "a_faster": "A faster",
    "b_faster": "B faster",
    "roughly_equal": "roughly equal",
    "inconclusive": "inconclusive",
}
VS_MODEL_LABELS = {
    "a_faster": "A ahead (vs model)",
    "b_faster": "B ahead (vs model)",
    "roughly_equal": "within ±5% (vs model)",
    "inconclusive": "undecided (vs model)",
}
NO_RATIO_LABEL = "no ratio"


def verdict_label(verdict: str, model_verdict: str | None = None, basis: str = "") -> str:
    """The one label every renderer shows for a verdict (JSON carries the ids)."""
    if verdict == "vs_model":
        return VS_MODEL_LABELS[model_verdict or "inconclusive"]
    if basis == "none":
        return NO_RATIO_LABEL
    return VERDICT_LABELS[verdict]


@dataclass(frozen=True)
class PairRow:
    info: BenchmarkInfo
    a: BenchmarkSamples | None
    b: BenchmarkSamples | None
    a_model: Any | None  # estimate.Estimate standing in for A (None: measured or no model)
    b_model: Any | None
    ratio: RatioEstimate | None
    basis: str  # measured, measured_vs_modelled, modelled, none
    direction: Verdict
    reason: str | None
    suite: bool = False
    a_noise: NoiseLookup | None = None
    b_noise: NoiseLookup | None = None
    missing: tuple[str, str] = ("", "")  # per side: why it has no measurement and no model
    pairing: str | None = None  # measured: paired in one source, or across sources (in words)
    paired: bool = False  # measured: the ratio comes from run sets that measured both sides

    @property
    def verdict_id(self) -> str:
        if self.basis in (Basis.MEASURED_VS_MODELLED, Basis.MODELLED):
            return "vs_model"
        return self.direction.value

    @property
    def model_verdict(self) -> str | None:
        return self.direction.value if self.verdict_id == "vs_model" else None

    @property
    def label(self) -> str:
        return verdict_label(self.verdict_id, self.model_verdict, self.basis)

    @property
    def measured_on_both(self) -> bool:
        return self.basis == Basis.MEASURED


def measured_row(comparison: BenchmarkComparison, suite: bool = False) -> PairRow:
    """A benchmark measured on both sides (its verdict as compare/ decided it)."""
    return PairRow(
        comparison.benchmark,
        comparison.a,
        comparison.b,
        None,
        None,
        comparison.ratio,
        Basis.MEASURED.value,
        comparison.verdict,
        comparison.reason,
        suite,
        comparison.a_noise,
        comparison.b_noise,
        pairing=comparison.basis.describe() if comparison.basis else None,
        paired=comparison.basis.is_paired if comparison.basis else False,
    )


def _side(
    samples: BenchmarkSamples | None, estimate: Any | None, noise: NoiseModel | None
) -> tuple[MedianBootstrap | ModelledValue | None, NoiseLookup | None]:
    if samples is not None:
        return spread_of(samples, noise)
    if estimate is not None:
        return ModelledValue(float(estimate.value), float(estimate.low), float(estimate.high)), None
    return None, None


def model_row(
    info: BenchmarkInfo,
    measured: tuple[BenchmarkSamples | None, BenchmarkSamples | None],
    modelled: tuple[Any | None, Any | None],
    noise: NoiseModel | None,
    suite: bool = False,
    missing: tuple[str, str] = ("", ""),
) -> PairRow:
    """A ratio where at least one side is modelled; a row with no ratio when a side has
    neither a measurement nor a prediction (``missing`` says why, per side)."""
    a, b = measured
    a_model = modelled[0] if a is None else None
    b_model = modelled[1] if b is None else None
    a_side, a_noise = _side(a, a_model, noise)
    b_side, b_noise = _side(b, b_model, noise)
    if a_side is None or b_side is None:
        reasons = [m for m, side in zip(missing, (a_side, b_side), strict=True) if side is None]
        reason = next((r for r in reasons if r), "no measurement and no model")
        return PairRow(
            info,
            a,
            b,
            a_model,
            b_model,
            None,
            "none",
            Verdict.INCONCLUSIVE,
            reason,
            suite,
            a_noise,
            b_noise,
            missing,
        )
    seed = stable_seed("vs-model", info.id)
    ratio = ratio_vs_model(a_side, b_side, info.higher_is_better, seed)
    basis = Basis.MODELLED if a is None and b is None else Basis.MEASURED_VS_MODELLED
    modelled_sides = " and ".join(s for s, m in (("A", a_model), ("B", b_model)) if m)
    reason = f"{modelled_sides} modelled: decided against the model's calibrated band"
    return PairRow(
        info,
        a,
        b,
        a_model,
        b_model,
        ratio,
        basis.value,
        verdict_for(ratio.interval),
        reason,
        suite,
        a_noise,
        b_noise,
    )
