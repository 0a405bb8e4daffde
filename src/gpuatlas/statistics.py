"""The one statistics module: percentiles, summaries of a measured distribution, medians,
seeded bootstrap intervals and the ratio of medians (oriented so > 1 means A better).

Below every package that uses it (numpy only): ``bench`` summarises each metric of a run with
``describe`` (median, mean, p90, p99, the median's interval), the results store computes its
per-group summaries with ``median_bootstrap`` when results are written, ``compare`` and the
report their ratios, verdicts and scores.

One percentile definition everywhere: linear interpolation between order statistics (numpy's
default, Hyndman and Fan's type 7). A weighted sample (inter-token latencies, each gap standing
for the tokens of its chunk) uses the same definition on the sample in which every value counts
as often as its weight, so whole weights give exactly ``np.quantile(np.repeat(values,
weights), q)`` — what serving benchmarks that list every token gap report.

One bootstrap: ``BOOTSTRAP_RESAMPLES`` (10,000) resamples unless a caller passes ``resamples``;
a run's metric and a group of runs draw their median's interval the same way (below).

Every interval here is a 95% percentile bootstrap: runs are resampled with replacement within
each GPU's sample and the statistic is recomputed. A sample of one run has no spread to
resample, so it gets no interval (``low``/``high`` are None) — never a zero-width one.

How a bootstrap median is drawn (exact, O(resamples) whatever the number of runs n): a resample
of n runs is n uniform draws U_i mapped to sorted positions floor(n·U_i); that map is monotone,
so the resample's k-th smallest run is the sorted run at floor(n·U_(k)), where U_(k), the k-th
order statistic of n uniforms, is Beta(k, n−k+1). For odd n the resample's median is that run
with k = (n+1)/2; for even n it is the mean of the runs at U_(k) and U_(k+1), k = n/2, where
U_(k+1) = U_(k) + (1 − U_(k))·Beta(1, n−k) (the nearest of the n−k draws above U_(k)). This has
exactly the distribution of the median of n runs drawn with replacement, without drawing them.

A GPU's replicates for one benchmark (``MedianBootstrap``) are drawn once, seeded by the
benchmark and the system, and reused by every interval built on them: its own median's
interval, the ratio A/B (A's replicates against B's, paired after a seeded cyclic shift, so the
two sides are independent resamples even when A and B are the same system), and the category
and Atlas Score aggregates.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

BOOTSTRAP_RESAMPLES = 10_000
CONFIDENCE = 0.95
MIN_RUNS_FOR_INTERVAL = 2
MIN_RUNS_FOR_RELIABLE_INTERVAL = 6
DEFAULT_SEED = 20260101
Z_95 = 1.959964  # the standard normal's 97.5th percentile
# Fewer values than this make a p99 "insufficient": MLPerf LoadGen's early-stopping bound for a
# p99 with one over-latency query (t = 1).
P99_MIN_SAMPLES = 662

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    """A point value with an optional 95% interval; low/high are None when not computable."""

    value: float
    low: float | None = None
    high: float | None = None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class SampleSummary:
    """One GPU's runs of one benchmark: median, run count and 95% bootstrap interval."""

    median: float
    n: int
    ci_low: float | None
    ci_high: float | None

    @property
    def small_sample(self) -> bool:
        """Fewer runs than a trustworthy median interval needs (6)."""
        return self.n < MIN_RUNS_FOR_RELIABLE_INTERVAL


@dataclass(frozen=True)
class RatioEstimate:
    """Ratio of medians A/B oriented so > 1 means A is better, with its bootstrap replicates."""

    interval: Interval
    replicates: FloatArray | None
    resampled: bool | None = None  # both sides have >= 2 runs (None: as the interval says)

    @property
    def value(self) -> float:
        return self.interval.value

    @property
    def has_spread(self) -> bool:
        """Both sides were resampled (an interval exists or could be computed)."""
        return self.interval.has_interval if self.resampled is None else self.resampled


@dataclass(frozen=True)
class MedianBootstrap:
    """One GPU's runs of one benchmark, reduced to what every interval needs: the median, n and
    the seeded bootstrap medians (None with a single run). Store-friendly: a fixed-size array."""

    median: float
    n: int
    replicates: NDArray[np.floating[Any]] | None
    interval: tuple[float, float] | None = None  # the replicates' 95% interval, if known

    def summary(self) -> SampleSummary:
        if self.replicates is None:
            return SampleSummary(median=self.median, n=self.n, ci_low=None, ci_high=None)
        low, high = self.interval or percentile_interval(self.replicates)
        return SampleSummary(median=self.median, n=self.n, ci_low=low, ci_high=high)

    def replicates_or_held(self, resamples: int) -> FloatArray:
        """The replicates as float64; a single run is held at its value."""
        if self.replicates is None:
            return np.full(resamples, self.median)
        return np.asarray(self.replicates, dtype=np.float64)


def stable_seed(*parts: str) -> int:
    """A seed that depends only on the names given (same report → same intervals)."""
    return DEFAULT_SEED ^ zlib.crc32("\x1f".join(parts).encode("utf-8"))


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("the median of no values is undefined")
    return float(np.median(np.asarray(values, dtype=np.float64)))


def bootstrap_medians(
    values: Sequence[float] | FloatArray,
    rng: np.random.Generator,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> FloatArray | None:
    """Medians of `resamples` resamples of the runs; None with fewer than two runs.

    Drawn through the order statistics of the resample (see the module docstring)."""
    data = np.sort(np.asarray(values, dtype=np.float64))
    n = data.size
    if n < MIN_RUNS_FOR_INTERVAL:
        return None
    k = (n + 1) // 2
    lower = rng.beta(k, n - k + 1, size=resamples)
    lower_runs = data[_sorted_positions(lower, n)]
    if n % 2 == 1:
        return lower_runs
    nearest_above = 1.0 - rng.random(resamples) ** (1.0 / (n - k))
    upper = lower + (1.0 - lower) * nearest_above
    return np.asarray((lower_runs + data[_sorted_positions(upper, n)]) / 2.0, dtype=np.float64)


def _sorted_positions(uniforms: FloatArray, n: int) -> NDArray[np.intp]:
    return np.minimum((uniforms * n).astype(np.intp), n - 1)


def median_bootstrap(
    values: Sequence[float] | FloatArray, seed: int, resamples: int = BOOTSTRAP_RESAMPLES
) -> MedianBootstrap:
    """The median, n and `resamples` seeded bootstrap medians of one GPU's runs."""
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        raise ValueError("the median of no values is undefined")
    replicates = bootstrap_medians(data, np.random.default_rng(seed), resamples)
    interval = percentile_interval(replicates) if replicates is not None else None
    return MedianBootstrap(float(np.median(data)), int(data.size), replicates, interval)


def percentile_interval(replicates: NDArray[np.floating[Any]]) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles, as ``np.percentile`` (linear interpolation) computes
    them, from one partial sort."""
    data = np.asarray(replicates, dtype=np.float64)
    tail = (1.0 - CONFIDENCE) / 2.0
    positions = np.array([tail, 1.0 - tail]) * (data.size - 1)
    below = np.floor(positions).astype(np.intp)
    above = np.minimum(below + 1, data.size - 1)
    ordered = np.partition(data, np.unique(np.concatenate([below, above])))
    low, high = ordered[below] + (ordered[above] - ordered[below]) * (positions - below)
    return float(low), float(high)


def quantile(values: Sequence[float] | FloatArray, q: float) -> float:
    """The q-quantile (0..1) by linear interpolation (numpy's default; the module docstring)."""
    return float(np.quantile(np.asarray(values, dtype=np.float64), q))


def weighted_quantile(
    values: FloatArray, weights: FloatArray, q: float, presorted: bool = False
) -> float:
    """The q-quantile of a weighted sample: linear interpolation over the sample in which each
    value counts `weight` times (whole weights: exactly the quantile of the repeated values;
    unit weights: ``quantile(values, q)``)."""
    if presorted:
        ordered, counts = np.asarray(values, np.float64), np.asarray(weights, np.float64)
    else:
        order = np.argsort(values, kind="stable")
        ordered, counts = np.asarray(values, np.float64)[order], np.asarray(weights)[order]
    cumulative = np.cumsum(counts)
    position = max(0.0, q * (float(cumulative[-1]) - 1.0))  # the rank, 0-based, in the repeats
    below = float(np.floor(position))
    above = min(below + 1.0, float(cumulative[-1]) - 1.0)
    low = ordered[min(int(np.searchsorted(cumulative, below, side="right")), ordered.size - 1)]
    high = ordered[min(int(np.searchsorted(cumulative, above, side="right")), ordered.size - 1)]
    return float(low + (high - low) * (position - below))


@dataclass(frozen=True)
class Distribution:
    """One metric's measured values; `weights` (optional) say how many units each stands for."""

    values: FloatArray
    weights: FloatArray | None = None

    def sorted_weighted(self) -> Distribution:
        """The same sample sorted by value (weighted quantiles then need no sort)."""
        if self.weights is None:
            return self
        order = np.argsort(self.values, kind="stable")
        return Distribution(self.values[order], self.weights[order])

    def quantile(self, q: float) -> float:
        """The q-quantile; weighted samples must be sorted (``sorted_weighted``)."""
        if self.weights is None:
            return quantile(self.values, q)
        return weighted_quantile(self.values, self.weights, q, presorted=True)

    def mean(self) -> float:
        if self.weights is None:
            return float(np.mean(self.values))
        return float(np.average(self.values, weights=self.weights))


@dataclass(frozen=True)
class DistributionSummary:
    """What a run reports per metric: median, mean, p90, p99, n and the median's 95% interval
    (None with fewer than two values); ``p99_sufficient``: enough values for a p99."""

    median: float | None
    mean: float | None
    p90: float | None
    p99: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    p99_sufficient: bool | None = None  # None with no values


def median_interval(
    data: Distribution, seed: int, resamples: int = BOOTSTRAP_RESAMPLES
) -> tuple[float, float]:
    """The median's 95% interval. Unweighted: the seeded percentile bootstrap of
    ``median_bootstrap`` (exact, O(resamples) whatever n). Weighted (no bootstrap of a weighted
    median here): the distribution-free order-statistic interval, the weighted quantiles at
    1/2 -+ Z_95 sqrt(n)/(2n), which for large n agrees with the bootstrap. Weighted data must
    be sorted; needs at least two values."""
    if data.weights is None:
        bootstrap = median_bootstrap(data.values, seed, resamples)
        assert bootstrap.interval is not None  # two or more values
        return bootstrap.interval
    count = len(data.values)
    half_width = Z_95 * np.sqrt(count) / 2 / count
    low_q, high_q = max(0.0, 0.5 - half_width), min(1.0, 0.5 + half_width)
    return data.quantile(low_q), data.quantile(high_q)


def describe(
    data: Distribution, seed: int = DEFAULT_SEED, resamples: int = BOOTSTRAP_RESAMPLES
) -> DistributionSummary:
    """{median, mean, p90, p99, n, ci_low, ci_high}; all None (n = 0) for no values."""
    count = int(len(data.values))
    if count == 0:
        return DistributionSummary(median=None, mean=None, p90=None, p99=None, n=0)
    data = data.sorted_weighted()
    low, high = median_interval(data, seed, resamples) if count > 1 else (None, None)
    return DistributionSummary(
        median=data.quantile(0.5),
        mean=data.mean(),
        p90=data.quantile(0.9),
        p99=data.quantile(0.99),
        n=count,
        ci_low=low,
        ci_high=high,
        p99_sufficient=count >= P99_MIN_SAMPLES,
    )


def summarize(values: Sequence[float], seed: int = DEFAULT_SEED) -> SampleSummary:
    """Median, n and the 95% bootstrap interval of the median (None/None when n < 2)."""
    return median_bootstrap(values, seed).summary()


def ratio_of_medians(
    a_values: Sequence[float],
    b_values: Sequence[float],
    higher_is_better: bool,
    seed: int = DEFAULT_SEED,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> RatioEstimate:
    """median(A)/median(B) for higher-is-better metrics, median(B)/median(A) for lower-is-better
    ones (s/image, ms): either way > 1 means A is better. The interval resamples both sides
    independently; it exists only when both sides have at least two runs."""
    point = _oriented(median(a_values), median(b_values), higher_is_better)
    rng = np.random.default_rng(seed)
    a_boot = bootstrap_medians(a_values, rng, resamples)
    b_boot = bootstrap_medians(b_values, rng, resamples)
    if a_boot is None or b_boot is None:
        held = _held_replicates(a_values, b_values, a_boot, b_boot, higher_is_better, resamples)
        return RatioEstimate(Interval(point), held)
    replicates = _oriented_array(a_boot, b_boot, higher_is_better)
    low, high = percentile_interval(replicates)
    return RatioEstimate(Interval(point, low, high), replicates)


def ratio_of_bootstraps(
    a: MedianBootstrap,
    b: MedianBootstrap,
    higher_is_better: bool,
    pairing_seed: int,
    with_interval: bool = True,
) -> RatioEstimate:
    """The same ratio from each side's stored replicates: A's i-th replicate over B's after a
    seeded cyclic shift (independent resamples, also when A and B are one and the same).

    ``with_interval=False`` skips the percentiles when only the replicates are needed (the
    Atlas Score aggregates them); ``resampled`` still says whether an interval exists."""
    point = _oriented(a.median, b.median, higher_is_better)
    resamples = _common_length(a, b)
    a_boot = a.replicates_or_held(resamples)[:resamples]
    b_boot = np.roll(b.replicates_or_held(resamples)[:resamples], _shift(pairing_seed, resamples))
    replicates = _oriented_array(a_boot, b_boot, higher_is_better)
    resampled = a.replicates is not None and b.replicates is not None
    if not resampled or not with_interval:
        return RatioEstimate(Interval(point), replicates, resampled)
    low, high = percentile_interval(replicates)
    return RatioEstimate(Interval(point, low, high), replicates, resampled)


def _common_length(a: MedianBootstrap, b: MedianBootstrap) -> int:
    lengths = [len(x.replicates) for x in (a, b) if x.replicates is not None]
    return min(lengths) if lengths else BOOTSTRAP_RESAMPLES


def _shift(seed: int, resamples: int) -> int:
    return 1 + seed % (resamples - 1) if resamples > 1 else 0


def _oriented(a_median: float, b_median: float, higher_is_better: bool) -> float:
    return a_median / b_median if higher_is_better else b_median / a_median


def _oriented_array(a: FloatArray, b: FloatArray, higher_is_better: bool) -> FloatArray:
    return np.asarray(a / b if higher_is_better else b / a, dtype=np.float64)


def _held_replicates(
    a_values: Sequence[float],
    b_values: Sequence[float],
    a_boot: FloatArray | None,
    b_boot: FloatArray | None,
    higher_is_better: bool,
    resamples: int,
) -> FloatArray:
    """Replicates for aggregation when a side has one run: that side is held at its value.
    (Aggregates still use the other side's spread; the benchmark itself gets no interval.)"""
    a = a_boot if a_boot is not None else np.full(resamples, median(a_values))
    b = b_boot if b_boot is not None else np.full(resamples, median(b_values))
    return _oriented_array(a, b, higher_is_better)
