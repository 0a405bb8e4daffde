"""Per-category geometric means of ratios and the Atlas Score, with joint bootstrap intervals.

Inside a category the point value is exp(mean log ratio). Its interval resamples, jointly and
per replicate, the runs inside each benchmark (the ratio replicates) and the benchmarks inside
the category. With one benchmark whose ratio has no interval, the category has none either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gpuatlas.compare.pairwise import BenchmarkComparison
from gpuatlas.compare.samples import BenchmarkSamples
from gpuatlas.compare.stats import (
    BOOTSTRAP_RESAMPLES,
    FloatArray,
    Interval,
    RatioEstimate,
    percentile_interval,
    ratio_of_bootstraps,
    stable_seed,
)
from gpuatlas.compare.verdicts import EQUIVALENCE_BAND, Tally, Verdict, tally, verdict_for
from gpuatlas.compare.weights import ScoreMethod


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
    """A category gets an interval (and so a verdict) only when every member benchmark has a
    run-level interval: resampling benchmarks alone cannot show that single runs are stable."""
    ratios = [m.ratio for m in members if m.ratio is not None]
    mean = geometric_mean_of_ratios(ratios, stable_seed("category", name))
    single_run = sum(1 for r in ratios if not r.has_spread)
    interval = Interval(mean.interval.value) if single_run else mean.interval
    values = [r.value for r in ratios]
    return CategorySummary(
        category=name,
        ratio=interval,
        verdict=verdict_for(interval, band),
        benchmark_count=len(members),
        tally=tally(m.verdict for m in members),
        lowest_ratio=min(values),
        highest_ratio=max(values),
        single_run_benchmarks=single_run,
    )


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
) -> AtlasScore | None:
    """Two-level geometric mean of ratios to the reference GPU; None when nothing is covered.

    `suite_benchmarks` maps each benchmark id of the suite to its category; the coverage's
    total counts those in categories with a positive weight."""
    scored = {b: c for b, c in suite_benchmarks.items() if method.weights.get(c, 0.0) > 0}
    common = [b for b in sorted(scored) if b in results and b in reference_results]
    if not common:
        return None
    per_category = _category_means(gpu_id, common, scored, results, reference_results)
    interval = _weighted_across_categories(per_category, method)
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
) -> dict[str, GeometricMean]:
    ratios: dict[str, list[RatioEstimate]] = {}
    for benchmark_id in common:
        mine, reference = results[benchmark_id], reference_results[benchmark_id]
        ratio = ratio_of_bootstraps(
            mine.bootstrap,
            reference.bootstrap,
            mine.benchmark.higher_is_better,
            stable_seed(benchmark_id, gpu_id, "reference"),
            with_interval=False,
        )
        ratios.setdefault(categories[benchmark_id], []).append(ratio)
    return {
        category: geometric_mean_of_ratios(members, stable_seed(gpu_id, category))
        for category, members in sorted(ratios.items())
    }


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
