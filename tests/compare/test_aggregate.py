"""Category geometric means and the Atlas Score: weights, coverage, no zero for missing."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from gpuatlas.compare import (
    BenchmarkInfo,
    BenchmarkSamples,
    ScoreMethod,
    Verdict,
    atlas_score,
    compare_all,
    default_score_method,
    geometric_mean_of_ratios,
    ratio_of_medians,
    summarize_categories,
)
from gpuatlas.compare.weights import load_score_method
from gpuatlas.errors import DataFileError

METHOD = ScoreMethod("test/1", "ref", 100.0, {"llm": 0.5, "image": 0.5, "system": 0.0}, "test")
SUITE = {"l1": "llm", "l2": "llm", "i1": "image", "i2": "image", "s1": "system"}


def _runs(center: float) -> tuple[float, ...]:
    return tuple(center * factor for factor in (0.99, 1.0, 1.01, 0.995, 1.005, 1.0))


def _results(gpu: str, scale: dict[str, float]) -> dict[str, BenchmarkSamples]:
    results = {}
    for benchmark_id, factor in scale.items():
        hib = SUITE[benchmark_id] != "image"
        info = BenchmarkInfo(benchmark_id, SUITE[benchmark_id], "u", hib)
        center = 100.0 * factor if hib else 10.0 / factor
        results[benchmark_id] = BenchmarkSamples(info, gpu, _runs(center))
    return results


REFERENCE = _results("ref", {"l1": 1, "l2": 1, "i1": 1, "i2": 1, "s1": 1})


def test_geometric_mean_of_reciprocal_ratios_is_one() -> None:
    ratios = [ratio_of_medians([2.0], [1.0], True), ratio_of_medians([1.0], [2.0], True)]
    mean = geometric_mean_of_ratios(ratios, seed=1)
    assert mean.interval.value == pytest.approx(1.0)
    assert mean.interval.low is not None and mean.interval.high is not None
    assert mean.interval.low < 1.0 < mean.interval.high  # the spread of the category shows


def test_a_single_benchmark_without_interval_gives_a_category_without_interval() -> None:
    mean = geometric_mean_of_ratios([ratio_of_medians([2.0], [1.0], True)], seed=1)
    assert mean.interval.value == pytest.approx(2.0)
    assert not mean.interval.has_interval


def test_reference_gpu_scores_its_reference_value() -> None:
    score = atlas_score("ref", REFERENCE, REFERENCE, METHOD, SUITE)
    assert score is not None
    assert score.interval.value == pytest.approx(100.0)


def test_twice_as_fast_everywhere_scores_200_including_lower_is_better_metrics() -> None:
    results = _results("g", {"l1": 2, "l2": 2, "i1": 2, "i2": 2})
    score = atlas_score("g", results, REFERENCE, METHOD, SUITE)
    assert score is not None
    assert score.interval.value == pytest.approx(200.0)
    assert score.interval.low is not None and 190 < score.interval.low < 200 < score.interval.high


def test_missing_benchmark_lowers_coverage_not_the_score() -> None:
    results = _results("g", {"l1": 2, "l2": 2, "i1": 2})
    score = atlas_score("g", results, REFERENCE, METHOD, SUITE)
    assert score is not None
    assert score.interval.value == pytest.approx(200.0)  # a zero would have dragged it down
    assert score.coverage == "3 of 4 benchmarks"  # system (weight 0) is not counted


def test_two_levels_weight_categories_not_benchmarks() -> None:
    # llm 4x on two benchmarks, image 1x on one: a flat mean would give 4^(2/3); two levels give
    # sqrt(4 * 1) = 2 with equal category weights
    results = _results("g", {"l1": 4, "l2": 4, "i1": 1})
    score = atlas_score("g", results, REFERENCE, METHOD, SUITE)
    assert score is not None
    assert score.interval.value == pytest.approx(200.0)
    assert score.categories["llm"].value == pytest.approx(400.0)


def test_no_common_benchmark_gives_no_score() -> None:
    assert atlas_score("g", {}, REFERENCE, METHOD, SUITE) is None


def test_category_summary_keeps_spread_and_tally() -> None:
    a = _results("a", {"i1": 4, "i2": 1})
    b = _results("b", {"i1": 1, "i2": 1})
    categories = summarize_categories(compare_all(a, b))
    image = categories[0]
    assert image.category == "image" and image.benchmark_count == 2
    assert image.ratio.value == pytest.approx(math.sqrt(4.0))
    assert (image.lowest_ratio, image.highest_ratio) == pytest.approx((1.0, 4.0))
    assert (image.tally.a_wins, image.tally.ties) == (1, 1)
    assert image.verdict is Verdict.INCONCLUSIVE  # one 4x win and one tie: no category claim


def test_published_weights_load() -> None:
    method = default_score_method()
    assert method.reference_gpu == "rtx-3090"
    assert sum(method.weights.values()) == pytest.approx(1.0)
    assert "system" not in method.scored_categories


def test_negative_weight_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text('version="x"\nreference_gpu="r"\nreference_value=100\n[weights]\na=-1\nb=1\n')
    with pytest.raises(DataFileError, match="negative"):
        load_score_method(path)


def test_category_of_single_run_benchmarks_gets_no_interval_and_no_verdict() -> None:
    # two benchmarks, one run per side, the same 3.9x gap: resampling benchmarks alone would
    # give a zero-width interval and a "faster" claim; single runs cannot support one
    def one_run(gpu: str, benchmark_id: str, seconds: float) -> BenchmarkSamples:
        info = BenchmarkInfo(benchmark_id, "image", "s/image", False)
        return BenchmarkSamples(info, gpu, (seconds,))

    a = {b: one_run("a", b, 15.0) for b in ("i1", "i2")}
    b = {k: one_run("b", k, 58.0) for k in ("i1", "i2")}
    image = summarize_categories(compare_all(a, b))[0]
    assert image.ratio.value == pytest.approx(58 / 15)
    assert not image.ratio.has_interval
    assert image.verdict is Verdict.INCONCLUSIVE
    assert image.single_run_benchmarks == 2
