"""Per-category geometric means of ratios and the Atlas Score, with joint bootstrap intervals.

Inside a category the point value is exp(mean log ratio). Its interval resamples, jointly and
per replicate, the runs inside each benchmark (the ratio replicates) and the benchmarks inside
the category. With one benchmark whose ratio has no interval, the category has none either.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gpuatlas.compare.noise import NoiseModel
from gpuatlas.compare.pairwise import BenchmarkComparison
from gpuatlas.compare.samples import BenchmarkSamples
from gpuatlas.compare.spread import shares_run_noise, spread_of
from gpuatlas.compare.verdicts import EQUIVALENCE_BAND, Tally, Verdict, tally, verdict_for
from gpuatlas.compare.weights import ScoreMethod
from gpuatlas.statistics import (
    BOOTSTRAP_RESAMPLES,
    FloatArray,
    Interval,
    RatioEstimate,
    percentile_interval,
    ratio_of_bootstraps,
    stable_seed,
)


@dataclass(frozen=True)
class GeometricMean:
    interval: Interval
    log_replicates: FloatArray | None


@dataclass(frozen=True)
class CategorySummary:
    """One category of a pairwise comparison: geometric mean of A/B ratios and the spread."""

    category: str
    ratio: Interval
    verdict: Verdict
    benchmark_count: int
    tally: Tally
    lowest_ratio: float
    highest_ratio: float
    single_run_benchmarks: int = 0
    toward_a: int = 0  # benchmarks whose point ratio favours A (> 1)
    toward_b: int = 0  # ... favours B (< 1)
    sign_test_p: float | None = None  # two-sided sign test of the directions
    beyond_margin_p: float | None = None  # sign test that the winner leads by > the margin
    decided_by: str = "interval"  # "interval" or "sign test" (consistent direction)


def geometric_mean_of_ratios(ratios: Sequence[RatioEstimate], seed: int) -> GeometricMean:
    """Geometric mean of ratios with a joint (runs × benchmarks) bootstrap interval."""
    if not ratios:
        raise ValueError("a geometric mean needs at least one ratio")
    point = float(np.exp(np.mean(np.log([r.value for r in ratios]))))
    if len(ratios) == 1 and not ratios[0].has_spread:
        return GeometricMean(Interval(point), None)
    logs = np.vstack([np.log(_replicates(r)) for r in ratios])
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(ratios), size=(logs.shape[1], len(ratios)))
    columns = np.arange(logs.shape[1])[:, None]
    log_replicates = np.asarray(logs[picks, columns].mean(axis=1), dtype=np.float64)
    low, high = percentile_interval(np.exp(log_replicates))
    return GeometricMean(Interval(point, low, high), log_replicates)


def _replicates(ratio: RatioEstimate) -> FloatArray:
    if ratio.replicates is not None:
        return ratio.replicates
    return np.full(BOOTSTRAP_RESAMPLES, ratio.value)


def summarize_categories(
    comparisons: Sequence[BenchmarkComparison], band: float = EQUIVALENCE_BAND
) -> list[CategorySummary]:
    """Per category, over the benchmarks measured on both sides."""
    by_category: dict[str, list[BenchmarkComparison]] = {}
    for comparison in comparisons:
        if comparison.ratio is not None:
            by_category.setdefault(comparison.benchmark.category, []).append(comparison)
    return [_category(name, members, band) for name, members in sorted(by_category.items())]


def _category(name: str, members: list[BenchmarkComparison], band: float) -> CategorySummary:
    ratios = [m.ratio for m in members if m.ratio is not None]
    return summarize_category(name, ratios, [m.verdict for m in members], band)


def summarize_category(
    name: str,
    ratios: Sequence[RatioEstimate],
    verdicts: Sequence[Verdict],
    band: float = EQUIVALENCE_BAND,
    by_direction: bool = True,
) -> CategorySummary:
    """A category's geometric mean of ratios, its interval, verdict and direction counts.

    The category gets an interval (and so a verdict) only when every member ratio has spread
    (its own runs, or the noise model's): resampling benchmarks alone cannot show that single
    runs are stable. ``by_direction``: where the interval cannot decide, the consistency of
    direction may (independent benchmarks only: not for modelled values, whose errors are
    shared)."""
    mean = geometric_mean_of_ratios(ratios, stable_seed("category", name))
    single_run = sum(1 for r in ratios if not r.has_spread)
    interval = Interval(mean.interval.value) if single_run else mean.interval
    values = [r.value for r in ratios]
    toward_a, toward_b = sum(v > 1 for v in values), sum(v < 1 for v in values)
    verdict, beyond_p = verdict_for(interval, band), None
    decided_by = "interval"
    if by_direction and verdict is Verdict.INCONCLUSIVE and interval.has_interval:
        verdict, beyond_p = _consistent_direction(values, interval.value, band)
        decided_by = "sign test" if verdict is not Verdict.INCONCLUSIVE else "interval"
    return CategorySummary(
        category=name,
        ratio=interval,
        verdict=verdict,
        benchmark_count=len(ratios),
        tally=tally(verdicts),
        lowest_ratio=min(values),
        highest_ratio=max(values),
        single_run_benchmarks=single_run,
        toward_a=toward_a,
        toward_b=toward_b,
        sign_test_p=sign_test_p(toward_a, toward_b),
        beyond_margin_p=beyond_p,
        decided_by=decided_by,
    )


# A category's verdict needs its sign test significant at the conventional 5 % level (a method
# choice, like the 95 % intervals, not a fitted number).
SIGN_TEST_ALPHA = 0.05


def _consistent_direction(
    values: Sequence[float], point: float, band: float
) -> tuple[Verdict, float | None]:
    """When the interval of the geometric mean cannot decide, the directions can: if the
    winner's lead exceeded the margin on no benchmark more often than by chance, each
    benchmark's noisy ratio would fall beyond the margin or not like a coin flip (noise that is
    independent and symmetric, whatever its size). So the side the geometric mean favours wins
    when the exact sign test of 'beyond the margin' against 'not' rejects at 5% (two-sided)."""
    if point > band:
        beyond, verdict = sum(v > band for v in values), Verdict.A_FASTER
    elif point < 1.0 / band:
        beyond, verdict = sum(v < 1.0 / band for v in values), Verdict.B_FASTER
    else:
        return Verdict.INCONCLUSIVE, None
    p = sign_test_p(beyond, len(values) - beyond)
    if p is not None and p < SIGN_TEST_ALPHA and beyond > len(values) - beyond:
        return verdict, p
    return Verdict.INCONCLUSIVE, p


def sign_test_p(successes: int, failures: int) -> float | None:
    """Two-sided exact sign test: the probability, if each direction were a coin flip, of a
    split at least as lopsided as this one (ties left out); None with no direction at all."""
    n = successes + failures
    if n == 0:
        return None
    fewer = min(successes, failures)
    tail = sum(math.comb(n, k) for k in range(fewer + 1)) / 2.0**n
    return min(1.0, 2.0 * tail)


@dataclass(frozen=True)
class AtlasScore:
    """A GPU's Atlas Score (reference GPU = 100) with interval and coverage."""

    gpu_id: str
    interval: Interval
    covered_benchmarks: int
    total_benchmarks: int
    categories: dict[str, Interval]
    method_version: str

    @property
    def coverage(self) -> str:
        return f"{self.covered_benchmarks} of {self.total_benchmarks} benchmarks"


def atlas_score(
    gpu_id: str,
    results: Mapping[str, BenchmarkSamples],
    reference_results: Mapping[str, BenchmarkSamples],
    method: ScoreMethod,
    suite_benchmarks: Mapping[str, str],
    noise: NoiseModel | None = None,
    only: Collection[str] | None = None,
) -> AtlasScore | None:
    """Two-level geometric mean of ratios to the reference GPU; None when nothing is covered.

    `suite_benchmarks` maps each benchmark id of the suite to its category; the coverage's
    total counts those in categories with a positive weight. `only` restricts the benchmarks
    scored (a pair scored on the same benchmarks for both sides); `noise` gives single-run
    results their spread."""
    scored = {b: c for b, c in suite_benchmarks.items() if method.weights.get(c, 0.0) > 0}
    common = [
        b
        for b in sorted(scored)
        if b in results and b in reference_results and (only is None or b in only)
    ]
    if not common:
        return None
    per_category = _category_means(gpu_id, common, scored, results, reference_results, noise)
    interval = _weighted_across_categories(per_category, method)
    if all(results[b] is reference_results[b] for b in common):
        interval = Interval(method.reference_value)  # the reference: 100 by definition
    return AtlasScore(
        gpu_id=gpu_id,
        interval=interval,
        covered_benchmarks=len(common),
        total_benchmarks=len(scored),
        categories={
            c: _scaled(m.interval, method.reference_value) for c, m in per_category.items()
        },
        method_version=method.version,
    )


def _category_means(
    gpu_id: str,
    common: list[str],
    categories: Mapping[str, str],
    results: Mapping[str, BenchmarkSamples],
    reference_results: Mapping[str, BenchmarkSamples],
    noise: NoiseModel | None,
) -> dict[str, GeometricMean]:
    ratios: dict[str, list[RatioEstimate]] = {}
    for benchmark_id in common:
        ratio = _ratio_to_reference(
            results[benchmark_id],
            reference_results[benchmark_id],
            noise,
            stable_seed(benchmark_id, gpu_id, "reference"),
        )
        ratios.setdefault(categories[benchmark_id], []).append(ratio)
    return {
        category: geometric_mean_of_ratios(members, stable_seed(gpu_id, category))
        for category, members in sorted(ratios.items())
    }


def _ratio_to_reference(
    mine: BenchmarkSamples, reference: BenchmarkSamples, noise: NoiseModel | None, seed: int
) -> RatioEstimate:
    """The benchmark's ratio to the reference; exactly 1 (no spread) for the reference's own
    samples — the reference is 100 by definition, not by measurement."""
    if mine is reference:
        return RatioEstimate(Interval(1.0), np.ones(BOOTSTRAP_RESAMPLES), True)
    shared = shares_run_noise(mine, reference)
    mine_spread, _ = spread_of(mine, noise, shared)
    reference_spread, _ = spread_of(reference, noise, shared)
    return ratio_of_bootstraps(
        mine_spread, reference_spread, mine.benchmark.higher_is_better, seed, with_interval=False
    )


def _weighted_across_categories(
    per_category: Mapping[str, GeometricMean], method: ScoreMethod
) -> Interval:
    """Weighted geometric mean across categories; weights renormalised over those covered."""
    total = sum(method.weights[c] for c in per_category)
    shares = {c: method.weights[c] / total for c in per_category}
    point_log = sum(share * np.log(per_category[c].interval.value) for c, share in shares.items())
    value = method.reference_value * float(np.exp(point_log))
    if all(mean.log_replicates is None for mean in per_category.values()):
        return Interval(value)
    combined = sum(share * _log_replicates(per_category[c]) for c, share in shares.items())
    low, high = percentile_interval(np.exp(np.asarray(combined, dtype=np.float64)))
    return Interval(value, method.reference_value * low, method.reference_value * high)


def _log_replicates(mean: GeometricMean) -> FloatArray:
    if mean.log_replicates is not None:
        return mean.log_replicates
    return np.full(BOOTSTRAP_RESAMPLES, np.log(mean.interval.value))


def _scaled(interval: Interval, scale: float) -> Interval:
    low = interval.low * scale if interval.low is not None else None
    high = interval.high * scale if interval.high is not None else None
    return Interval(interval.value * scale, low, high)
