"""Behaviour of the statistics: orientation, intervals, the four verdicts, tallies."""

from __future__ import annotations

import numpy as np
import pytest

from gpuatlas.compare import (
    BenchmarkInfo,
    BenchmarkSamples,
    Interval,
    Verdict,
    compare_benchmark,
    ratio_of_medians,
    summarize,
    tally,
    verdict_for,
)
from gpuatlas.compare.verdicts import inconclusive_reason


def test_ratio_above_one_means_a_better_for_throughput() -> None:
    ratio = ratio_of_medians([200.0, 201.0, 199.0, 202.0], [100.0, 99.0, 101.0, 100.5], True)
    assert ratio.value == pytest.approx(200.5 / 100.25)
    assert ratio.interval.low is not None and ratio.interval.low > 1.9


def test_ratio_is_inverted_for_lower_is_better_metrics() -> None:
    # 15 s/image on A against 58 s/image on B: A is 58/15 = 3.87x better, so the ratio is > 1
    ratio = ratio_of_medians([15.0], [58.0], higher_is_better=False)
    assert ratio.value == pytest.approx(58 / 15)


def test_single_run_gives_no_interval_and_an_inconclusive_verdict() -> None:
    ratio = ratio_of_medians([15.0], [58.0], higher_is_better=False)
    assert not ratio.interval.has_interval
    assert verdict_for(ratio.interval) is Verdict.INCONCLUSIVE
    assert inconclusive_reason(ratio.interval) == "no interval: a side has a single run"


def test_summary_of_one_run_has_no_interval() -> None:
    summary = summarize([42.0])
    assert (summary.median, summary.n, summary.ci_low, summary.ci_high) == (42.0, 1, None, None)
    assert summary.small_sample


def test_bootstrap_interval_is_seeded_and_covers_the_true_median() -> None:
    rng = np.random.default_rng(7)
    values = list(rng.normal(100.0, 5.0, size=60))
    first, second = summarize(values, seed=3), summarize(values, seed=3)
    assert first == second
    assert first.ci_low is not None and first.ci_high is not None
    assert first.ci_low < 100.0 < first.ci_high
    assert first.ci_high - first.ci_low < 6.0


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (1.06, 1.30, Verdict.A_FASTER),
        (0.50, 0.90, Verdict.B_FASTER),
        (0.96, 1.04, Verdict.ROUGHLY_EQUAL),
        (1 / 1.05, 1.05, Verdict.ROUGHLY_EQUAL),
        (1.00, 1.20, Verdict.INCONCLUSIVE),
        (1.05, 1.20, Verdict.INCONCLUSIVE),  # the whole interval must be *above* 1.05
        (0.80, 0.96, Verdict.INCONCLUSIVE),
        (0.50, 2.00, Verdict.INCONCLUSIVE),
    ],
)
def test_verdict_uses_the_whole_interval_against_the_five_percent_band(
    low: float, high: float, expected: Verdict
) -> None:
    assert verdict_for(Interval(1.0, low, high)) is expected


def test_tally_counts_wins_ties_losses_and_inconclusive_separately() -> None:
    counted = tally(
        [
            Verdict.A_FASTER,
            Verdict.B_FASTER,
            Verdict.B_FASTER,
            Verdict.ROUGHLY_EQUAL,
            Verdict.INCONCLUSIVE,
        ]
    )
    assert (counted.a_wins, counted.b_wins, counted.ties, counted.inconclusive) == (1, 2, 1, 1)
    assert counted.total == 5


def _samples(gpu: str, values: list[float], hib: bool = True) -> BenchmarkSamples:
    info = BenchmarkInfo("bench", "image", "s/image" if not hib else "tok/s", hib)
    return BenchmarkSamples(info, gpu, tuple(values))


def test_clear_gap_with_enough_runs_gets_a_faster_verdict() -> None:
    a = _samples("a", [10.0, 10.2, 9.9, 10.1, 10.0, 10.05], hib=False)
    b = _samples("b", [30.0, 31.0, 29.5, 30.2, 30.4, 29.9], hib=False)
    result = compare_benchmark(a, b)
    assert result.verdict is Verdict.A_FASTER
    assert result.ratio is not None and result.ratio.value == pytest.approx(30.1 / 10.025)


def test_one_sided_measurement_has_no_ratio() -> None:
    result = compare_benchmark(_samples("a", [1.0, 2.0]), None)
    assert result.ratio is None
    assert result.verdict is Verdict.INCONCLUSIVE
    assert result.reason == "no measurement for B"


def test_samples_reject_non_positive_values() -> None:
    with pytest.raises(ValueError, match="positive"):
        _samples("a", [0.0])
