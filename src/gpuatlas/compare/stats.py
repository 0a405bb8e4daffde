"""Medians, seeded bootstrap intervals and the ratio of medians (oriented so > 1 means A better).

Every interval here is a 95% percentile bootstrap: runs are resampled with replacement within
each GPU's sample and the statistic is recomputed. A sample of one run has no spread to
resample, so it gets no interval (``low``/``high`` are None) — never a zero-width one.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

BOOTSTRAP_RESAMPLES = 10_000
CONFIDENCE = 0.95
MIN_RUNS_FOR_INTERVAL = 2
MIN_RUNS_FOR_RELIABLE_INTERVAL = 6
DEFAULT_SEED = 20260101

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

    @property
    def value(self) -> float:
        return self.interval.value


def stable_seed(*parts: str) -> int:
    """A seed that depends only on the names given (same report → same intervals)."""
    return DEFAULT_SEED ^ zlib.crc32("\x1f".join(parts).encode("utf-8"))


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("the median of no values is undefined")
    return float(np.median(np.asarray(values, dtype=np.float64)))


def bootstrap_medians(
    values: Sequence[float], rng: np.random.Generator, resamples: int = BOOTSTRAP_RESAMPLES
) -> FloatArray | None:
    """Medians of `resamples` resamples of the runs; None with fewer than two runs."""
    data = np.asarray(values, dtype=np.float64)
    if data.size < MIN_RUNS_FOR_INTERVAL:
        return None
    indices = rng.integers(0, data.size, size=(resamples, data.size))
    return np.asarray(np.median(data[indices], axis=1), dtype=np.float64)


def percentile_interval(replicates: FloatArray) -> tuple[float, float]:
    tail = (1.0 - CONFIDENCE) / 2.0 * 100.0
    low, high = np.percentile(replicates, [tail, 100.0 - tail])
    return float(low), float(high)


def summarize(values: Sequence[float], seed: int = DEFAULT_SEED) -> SampleSummary:
    """Median, n and the 95% bootstrap interval of the median (None/None when n < 2)."""
    replicates = bootstrap_medians(values, np.random.default_rng(seed))
    low, high = percentile_interval(replicates) if replicates is not None else (None, None)
    return SampleSummary(median=median(values), n=len(values), ci_low=low, ci_high=high)


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
