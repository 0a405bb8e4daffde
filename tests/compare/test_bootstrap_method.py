"""The bootstrap of the median drawn through order statistics has exactly the distribution of
the median of n runs resampled with replacement; stored replicates give the same statistics
as values."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from gpuatlas.compare import BenchmarkInfo, BenchmarkSamples, Verdict, compare_benchmark
from gpuatlas.statistics import (
    MedianBootstrap,
    bootstrap_medians,
    median_bootstrap,
    percentile_interval,
    ratio_of_bootstraps,
)

DRAWS = 200_000


def _exact_resampled_median_distribution(values: list[float]) -> dict[float, float]:
    """Every one of the n^n equally likely resamples, enumerated."""
    n = len(values)
    counts: Counter[float] = Counter()
    for picks in itertools.product(values, repeat=n):
        counts[float(np.median(picks))] += 1
    return {value: count / n**n for value, count in counts.items()}


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_order_statistic_draws_match_the_exact_bootstrap_distribution(n: int) -> None:
    values = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0][:n]  # distinct sums: every median is identifiable
    exact = _exact_resampled_median_distribution(values)
    drawn = bootstrap_medians(values[::-1], np.random.default_rng(11), DRAWS)  # order is free
    assert drawn is not None
    seen = Counter(drawn.tolist())
    assert set(seen) <= set(exact)
    for value, probability in exact.items():
        standard_error = np.sqrt(probability * (1 - probability) / DRAWS)
        assert seen[value] / DRAWS == pytest.approx(probability, abs=5 * standard_error + 1e-9)


def test_large_samples_cost_no_more_than_small_ones_and_centre_on_the_median() -> None:
    values = np.random.default_rng(3).lognormal(5.0, 0.05, size=200_001)
    drawn = bootstrap_medians(values, np.random.default_rng(1), 10_000)
    assert drawn is not None and drawn.shape == (10_000,)
    # the median of a lognormal sample: its bootstrap spread is ~1.25 sigma/sqrt(n) wide
    expected_sd = 1.2533 * float(np.std(values)) / np.sqrt(values.size)
    assert float(np.std(drawn)) == pytest.approx(expected_sd, rel=0.1)
    assert float(np.mean(drawn)) == pytest.approx(float(np.median(values)), rel=1e-4)


def test_percentile_interval_equals_numpy_linear_percentiles() -> None:
    for size in (2, 3, 17, 10_000):
        data = np.random.default_rng(size).normal(size=size)
        assert percentile_interval(data) == pytest.approx(
            tuple(np.percentile(data, [2.5, 97.5])), rel=1e-12
        )


def test_a_system_against_itself_keeps_an_interval_around_one() -> None:
    # the same stored replicates on both sides: pairing them as they are would give [1, 1]
    same = median_bootstrap([100.0, 96.0, 104.0, 99.0, 101.0, 103.0, 97.0], seed=5)
    ratio = ratio_of_bootstraps(same, same, higher_is_better=True, pairing_seed=9)
    assert ratio.value == 1.0
    assert ratio.interval.low is not None and ratio.interval.high is not None
    assert ratio.interval.low < 0.99 and ratio.interval.high > 1.01


def _info(hib: bool = False) -> BenchmarkInfo:
    return BenchmarkInfo("b", "image", "s/image", hib)


def test_samples_from_stored_replicates_compare_like_samples_from_values() -> None:
    a_values = (10.0, 10.2, 9.9, 10.1, 10.0, 10.05)
    b_values = (30.0, 31.0, 29.5, 30.2, 30.4, 29.9)
    from_values = compare_benchmark(
        BenchmarkSamples(_info(), "a", a_values), BenchmarkSamples(_info(), "b", b_values)
    )
    stored = [
        BenchmarkSamples(_info(), gpu, values).bootstrap
        for gpu, values in (("a", a_values), ("b", b_values))
    ]
    as_float32 = [
        MedianBootstrap(s.median, s.n, np.asarray(s.replicates, dtype=np.float32), s.interval)
        for s in stored
    ]
    from_stored = compare_benchmark(
        BenchmarkSamples.from_bootstrap(_info(), "a", as_float32[0]),
        BenchmarkSamples.from_bootstrap(_info(), "b", as_float32[1]),
    )
    assert from_stored.verdict is from_values.verdict is Verdict.A_FASTER
    assert from_stored.ratio is not None and from_values.ratio is not None
    assert from_stored.ratio.value == from_values.ratio.value
    assert from_stored.ratio.interval.low == pytest.approx(from_values.ratio.interval.low, rel=1e-6)
    assert from_stored.a_summary == from_values.a_summary


def test_a_single_run_has_no_replicates_and_no_interval() -> None:
    single = median_bootstrap([42.0], seed=1)
    assert single.replicates is None and single.summary().ci_low is None
    samples = BenchmarkSamples.from_bootstrap(_info(), "a", single)
    assert samples.n == 1 and samples.summary().median == 42.0
