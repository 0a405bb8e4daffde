"""The one statistics module: values a correct implementation gives."""

from __future__ import annotations

import numpy as np
import pytest

from gpuatlas.statistics import (
    BOOTSTRAP_RESAMPLES,
    P99_MIN_SAMPLES,
    Distribution,
    describe,
    median_bootstrap,
    median_interval,
    percentile_interval,
    quantile,
    weighted_quantile,
)


def test_quantiles_interpolate_linearly_between_order_statistics() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert quantile(values, 0.5) == 25.0
    assert quantile(values, 0.9) == pytest.approx(37.0)  # rank 0.9 * 3 = 2.7: 30 + 0.7 * 10
    assert quantile(values, 0.0) == 10.0 and quantile(values, 1.0) == 40.0


def test_a_weighted_quantile_counts_each_value_as_often_as_its_weight() -> None:
    values, weights = np.array([5.0, 1.0, 3.0]), np.array([2.0, 1.0, 3.0])
    # the repeats, sorted: 1, 3, 3, 3, 5, 5 -> median at rank 2.5 = 3; p90 at rank 4.5 = 5
    assert weighted_quantile(values, weights, 0.5) == 3.0
    assert weighted_quantile(values, weights, 0.9) == 5.0
    assert weighted_quantile(values, weights, 0.1) == pytest.approx(2.0)  # rank 0.5: 1 to 3
    assert weighted_quantile(values, np.ones(3), 0.25) == quantile(values, 0.25)


def test_percentile_interval_is_the_same_definition() -> None:
    replicates = np.arange(1.0, 1001.0)
    low, high = percentile_interval(replicates)
    assert (low, high) == pytest.approx((quantile(replicates, 0.025), quantile(replicates, 0.975)))
    assert (low, high) == pytest.approx((25.975, 975.025))


def test_the_median_bootstrap_is_seeded_and_brackets_the_median() -> None:
    sample = np.random.default_rng(3).normal(100.0, 5.0, 41)
    first, again = median_bootstrap(sample, seed=9), median_bootstrap(sample, seed=9)
    assert first.replicates is not None and len(first.replicates) == BOOTSTRAP_RESAMPLES
    assert np.array_equal(first.replicates, again.replicates)
    low, high = first.interval or (0.0, 0.0)
    assert low < float(np.median(sample)) < high
    # the median of 41 normal values has standard error ~ 1.2533 * 5 / sqrt(41) = 0.98:
    # a 95% interval about 4 wide (sampling noise of the bootstrap allowed)
    assert 2.0 < high - low < 6.5
    fewer = median_bootstrap(sample, seed=9, resamples=500)
    assert fewer.replicates is not None and len(fewer.replicates) == 500


def test_describe_summarises_a_run_metric() -> None:
    values = np.arange(1.0, 101.0)
    summary = describe(Distribution(values), seed=1)
    assert summary.median == 50.5 and summary.mean == 50.5 and summary.n == 100
    assert summary.p90 == pytest.approx(90.1) and summary.p99 == pytest.approx(99.01)
    assert summary.ci_low is not None and summary.ci_high is not None
    assert summary.ci_low < 50.5 < summary.ci_high
    assert summary.p99_sufficient is False and P99_MIN_SAMPLES > 100
    one = describe(Distribution(np.array([7.0])))
    assert (one.median, one.ci_low, one.ci_high) == (7.0, None, None)
    none = describe(Distribution(np.empty(0)))
    assert none.n == 0 and none.median is None and none.p99_sufficient is None


def test_a_weighted_median_gets_the_order_statistic_interval() -> None:
    values, weights = np.arange(1.0, 401.0), np.full(400, 2.0)
    data = Distribution(values, weights).sorted_weighted()
    low, high = median_interval(data, seed=0)
    # ranks 1/2 -+ 1.96 sqrt(400) / 800 = 0.451 and 0.549 of the repeated sample
    assert low == pytest.approx(weighted_quantile(values, weights, 0.451))
    assert high == pytest.approx(weighted_quantile(values, weights, 0.549))
    assert low < 200.5 < high
