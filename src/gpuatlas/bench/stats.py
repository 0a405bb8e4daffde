"""Summaries with uncertainty: percentiles (numpy linear interpolation), seeded bootstrap CIs.

``ci_low``/``ci_high`` bound the 95 % interval of the median: a seeded percentile bootstrap
(BOOTSTRAP_RESAMPLES resamples) for unweighted samples of up to BOOTSTRAP_MAX_VALUES values;
for larger or token-weighted samples (ITL) the distribution-free order-statistic interval
(ranks n/2 -+ 1.96 sqrt(n)/2, on the weighted CDF when weighted), which at that size agrees
with the bootstrap and costs nothing. For p99, fewer than P99_MIN_SAMPLES values (MLPerf
LoadGen's early-stopping bound for p99 with one over-latency query, t = 1) is "insufficient".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gpuatlas.records.result import MetricSummary

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_MAX_VALUES = 5_000
BOOTSTRAP_BLOCK_VALUES = 1 << 16
Z_95 = 1.959964
P99_MIN_SAMPLES = 662
CONFIDENCE = 0.95
UNSTABLE_CV = 0.05  # coefficient of variation across repeats above which we warn


@dataclass(frozen=True)
class Distribution:
    values: np.ndarray
    weights: np.ndarray | None = None

    def sorted_weighted(self) -> Distribution:
        """The same sample sorted by value (weighted quantiles then need no sort)."""
        if self.weights is None:
            return self
        order = np.argsort(self.values, kind="stable")
        return Distribution(self.values[order], self.weights[order])


def weighted_quantile(values: np.ndarray, weights: np.ndarray, quantile: float,
                      presorted: bool = False) -> float:
    """Quantile of a weighted sample (weights = how many tokens each value stands for)."""
    if presorted:
        sorted_values, sorted_weights = values, weights
    else:
        order = np.argsort(values)
        sorted_values, sorted_weights = values[order], weights[order]
    cumulative = np.cumsum(sorted_weights) - 0.5 * sorted_weights
    cumulative /= sorted_weights.sum()
    return float(np.interp(quantile, cumulative, sorted_values))


def _quantile(data: Distribution, quantile: float) -> float:
    if data.weights is None:
        return float(np.quantile(data.values, quantile))
    return weighted_quantile(data.values, data.weights, quantile, presorted=True)


def _mean(data: Distribution) -> float:
    if data.weights is None:
        return float(np.mean(data.values))
    return float(np.average(data.values, weights=data.weights))


def _median_ci(data: Distribution, seed: int) -> tuple[float, float]:
    """95 % interval of the median (module docstring); weighted data must be sorted."""
    if data.weights is not None or len(data.values) > BOOTSTRAP_MAX_VALUES:
        return _order_statistic_median_ci(data)
    values, count = data.values, len(data.values)
    if values.min() == values.max():  # every resample's median is that one value
        return float(values[0]), float(values[0])
    rng = np.random.default_rng(seed)
    rows = max(1, BOOTSTRAP_BLOCK_VALUES // count)  # resamples drawn at a time: the same
    medians = np.concatenate([  # draws as all at once, in cache-sized blocks
        np.median(values[rng.integers(0, count, size=(min(rows, BOOTSTRAP_RESAMPLES - first),
                                                       count))], axis=1)
        for first in range(0, BOOTSTRAP_RESAMPLES, rows)])
    tail = (1 - CONFIDENCE) / 2
    return float(np.quantile(medians, tail)), float(np.quantile(medians, 1 - tail))


def _order_statistic_median_ci(data: Distribution) -> tuple[float, float]:
    count = len(data.values)
    half_width = Z_95 * np.sqrt(count) / 2 / count
    low_q, high_q = max(0.0, 0.5 - half_width), min(1.0, 0.5 + half_width)
    return _quantile(data, low_q), _quantile(data, high_q)


def summarize(data: Distribution, unit: str | None = None, seed: int = 0) -> MetricSummary:
    """{median, mean, p90, p99, n, ci_low, ci_high}; all None (n = 0) for no values."""
    count = int(len(data.values))
    if count == 0:
        return MetricSummary(median=None, mean=None, p90=None, p99=None, n=0, unit=unit)
    data = data.sorted_weighted()
    low, high = _median_ci(data, seed) if count > 1 else (None, None)
    return MetricSummary(
        median=_quantile(data, 0.5),
        mean=_mean(data),
        p90=_quantile(data, 0.9),
        p99=_quantile(data, 0.99),
        n=count,
        ci_low=low,
        ci_high=high,
        unit=unit,
        p99_sufficient=count >= P99_MIN_SAMPLES,
    )


def summarize_values(values: list[float], unit: str | None = None, seed: int = 0) -> MetricSummary:
    return summarize(Distribution(np.asarray(values, dtype=float)), unit, seed)


def stability_warnings(name: str, per_repeat: list[float]) -> list[str]:
    """Warn when repeats disagree (CV above UNSTABLE_CV) or are too few for a CI."""
    if len(per_repeat) < 2:
        return [f"{name}: a single repeat, no interval across repeats"]
    mean = float(np.mean(per_repeat))
    if mean == 0:
        return []
    cv = float(np.std(per_repeat, ddof=1)) / abs(mean)
    if cv > UNSTABLE_CV:
        return [f"{name}: unstable across {len(per_repeat)} repeats "
                f"(coefficient of variation {cv:.1%} > {UNSTABLE_CV:.0%})"]
    return []


def percentile_warnings(name: str, summary: MetricSummary) -> list[str]:
    if summary.n == 0 or summary.p99_sufficient:
        return []
    return [f"{name}: p99 from {summary.n} samples is indicative only "
            f"(at least {P99_MIN_SAMPLES} needed)"]
