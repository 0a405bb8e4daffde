"""The noise model (issue 12, item 1), the sign test and verdicts against a modelled side."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gpuatlas.compare import (
    BenchmarkInfo,
    BenchmarkSamples,
    Verdict,
    compare_benchmark,
    default_noise_model,
    sign_test_p,
)
from gpuatlas.compare.modelled_verdicts import Basis, ModelledValue, basis_of, ratio_vs_model
from gpuatlas.compare.noise import (
    chi2_quantile,
    fit_noise_model,
    from_published_sd,
    from_values,
    noise_model_from_dict,
    pooled_cell,
)
from gpuatlas.errors import DataFileError
from gpuatlas.statistics import MedianBootstrap

INFO = BenchmarkInfo("public/llama.cpp/m/q4_0/b1-tg128/decode_tok_s", "llm-single", "tok/s", True)


def test_pooled_cv_is_the_pooled_log_standard_deviation() -> None:
    groups = [
        from_values("llm-single", "llama.cpp", [100.0, 110.0], within_source=False),
        from_values("llm-single", "llama.cpp", [50.0, 45.0, 55.0], within_source=False),
    ]
    cell = pooled_cell(groups)
    assert cell is not None
    logs = [np.log([100.0, 110.0]), np.log([50.0, 45.0, 55.0])]
    squares = sum(float(np.sum((x - x.mean()) ** 2)) for x in logs)
    assert cell.degrees_of_freedom == 3
    assert cell.cv == pytest.approx(math.sqrt(squares / 3))
    assert cell.cv_low < cell.cv < cell.cv_high


def test_chi_square_quantiles_are_close_to_the_exact_ones() -> None:
    # exact chi-square quantiles (tables): nu = 10 -> 3.247 and 20.483; nu = 88 -> 63.94, 115.84
    assert chi2_quantile(-1.959964, 10) == pytest.approx(3.247, rel=0.02)
    assert chi2_quantile(1.959964, 10) == pytest.approx(20.483, rel=0.01)
    assert chi2_quantile(-1.959964, 88) == pytest.approx(63.94, rel=0.01)
    assert chi2_quantile(1.959964, 88) == pytest.approx(115.84, rel=0.01)


def test_a_published_sd_over_runs_counts_as_run_to_run_evidence() -> None:
    observation = from_published_sd("llm-single", "llama.cpp", 200.0, 2.0, runs=5)
    assert observation.within_source and observation.degrees_of_freedom == 4
    cell = pooled_cell([observation])
    assert cell is not None and cell.cv == pytest.approx(0.01)


def _model() -> object:
    within = [from_published_sd("llm-single", "llama.cpp", 100.0, 1.0, 5) for _ in range(3)]
    between = [from_values("llm-single", "llama.cpp", [100.0, 130.0], False) for _ in range(6)]
    return fit_noise_model([*within, *between], "noise/test")


def test_lookup_uses_run_to_run_noise_only_for_same_source_pairs() -> None:
    model = _model()
    same = model.lookup("llm-single", "llama.cpp", same_source=True)  # type: ignore[attr-defined]
    other = model.lookup("llm-single", "llama.cpp", same_source=False)  # type: ignore[attr-defined]
    assert same.level == "within-source" and same.cell.cv == pytest.approx(0.01)
    assert other.level == "between-source" and other.cell.cv > 0.1
    # no run-to-run evidence for images: a same-source image pair falls back to between sources
    image = model.lookup("image", "diffusers", same_source=True)  # type: ignore[attr-defined]
    assert image.level == "between-source" and image.key == "all"


def test_the_model_round_trips_through_its_data_file_and_rejects_a_bad_one() -> None:
    model = _model()
    again = noise_model_from_dict(model.as_dict(), "test")  # type: ignore[attr-defined]
    assert again.as_dict() == model.as_dict()  # type: ignore[attr-defined]
    assert again.lookup("llm-single", "llama.cpp", True).cell.cv == pytest.approx(0.01)
    with pytest.raises(DataFileError):
        noise_model_from_dict({"schema_version": "nope"}, "test")


def test_the_packaged_model_states_its_version_method_and_minimum() -> None:
    model = default_noise_model()
    assert model.version.startswith("noise/")
    assert "pooled variance of ln(value)" in model.method
    assert model.min_degrees_of_freedom >= 5 and model.min_runs_own_spread == 6
    assert model.overall.degrees_of_freedom >= model.min_degrees_of_freedom


def _one_run(value: float, gpu: str, source: str) -> BenchmarkSamples:
    return BenchmarkSamples(INFO, gpu, (value,), source=source)


def test_single_runs_get_an_interval_from_the_noise_model_and_can_be_decided() -> None:
    model = default_noise_model()
    a, b = _one_run(100.0, "gpu-a", "table X"), _one_run(160.0, "gpu-b", "table X")
    without = compare_benchmark(a, b)
    assert without.ratio is not None and not without.ratio.interval.has_interval
    assert without.verdict is Verdict.INCONCLUSIVE
    same_table = compare_benchmark(a, b, noise=model)
    assert same_table.ratio is not None and same_table.ratio.interval.has_interval
    assert same_table.verdict is Verdict.B_FASTER  # 1.6x apart, run-to-run noise ~1%
    assert same_table.a_noise is not None and same_table.a_noise.level == "within-source"
    apart = compare_benchmark(a, _one_run(160.0, "gpu-b", "another source"), noise=model)
    assert apart.b_noise is not None and apart.b_noise.level == "between-source"
    low, high = apart.ratio.interval.low, apart.ratio.interval.high  # type: ignore[union-attr]
    assert low is not None and high is not None
    assert high - low > same_table.ratio.interval.high - same_table.ratio.interval.low  # type: ignore[operator]


def test_sign_test_is_the_exact_binomial_tail() -> None:
    assert sign_test_p(24, 0) == pytest.approx(2 / 2**24)
    assert sign_test_p(0, 24) == pytest.approx(2 / 2**24)
    assert sign_test_p(7, 1) == pytest.approx(2 * 9 / 256)
    assert sign_test_p(4, 4) == 1.0
    assert sign_test_p(0, 0) is None


def test_a_ratio_against_a_model_follows_the_models_band() -> None:
    measured = MedianBootstrap(100.0, 1, np.full(10_000, 100.0))
    modelled = ModelledValue(50.0, 40.0, 62.5)
    assert basis_of(measured, modelled) is Basis.MEASURED_VS_MODELLED
    assert basis_of(modelled, modelled) is Basis.MODELLED
    ratio = ratio_vs_model(measured, modelled, higher_is_better=True, seed=1)
    low, high = ratio.interval.low, ratio.interval.high
    assert ratio.value == pytest.approx(2.0)
    assert low is not None and high is not None
    assert 100 / 62.5 * 0.9 < low < 2.0 < high < 100 / 40 * 1.1  # the 90% band, read as 95%


def _wide(value: float, seed: int) -> object:
    from gpuatlas.statistics import Interval, RatioEstimate

    rng = np.random.default_rng(seed)
    replicates = value * np.exp(rng.standard_normal(10_000) * 0.9)  # very noisy benchmarks
    return RatioEstimate(Interval(value, value / 3, value * 3), replicates, True)


def test_a_category_the_interval_cannot_decide_is_decided_by_consistent_leads() -> None:
    from gpuatlas.compare import summarize_category

    ratios = [_wide(v, i) for i, v in enumerate([0.5, 0.55, 0.45, 0.6, 0.5, 0.52, 0.48])]
    verdicts = [Verdict.INCONCLUSIVE] * 7
    summary = summarize_category("image", ratios, verdicts)  # type: ignore[arg-type]
    assert summary.ratio.high is not None and summary.ratio.high > 1 / 1.05  # wide
    assert summary.verdict is Verdict.B_FASTER and summary.decided_by == "sign test"
    assert summary.beyond_margin_p == pytest.approx(2 / 2**7)
    modelled = summarize_category("image", ratios, verdicts, by_direction=False)  # type: ignore[arg-type]
    assert modelled.verdict is Verdict.INCONCLUSIVE  # shared model errors: no sign test
    mixed = [_wide(v, i) for i, v in enumerate([0.5, 1.2, 0.45, 1.3, 0.5, 0.9, 0.48])]
    undecided = summarize_category("image", mixed, verdicts)  # type: ignore[arg-type]
    assert undecided.verdict is Verdict.INCONCLUSIVE
