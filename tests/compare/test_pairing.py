"""Paired, within-source ratios (compare.pairing): one source that measured both GPUs with one
build decides on its own run-to-run noise; sides from different sources or builds are not
paired and say so."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gpuatlas.compare import BenchmarkInfo, BenchmarkSamples, Verdict, compare_benchmark
from gpuatlas.compare.noise import (
    NoiseCell,
    NoiseLevel,
    NoiseLookup,
    NoiseModel,
    default_noise_model,
)
from gpuatlas.compare.noise_fit import published_repeats
from gpuatlas.compare.pairing import (
    PairedSource,
    between_run_set_variance,
    document_of,
    paired_ratio,
    paired_sources,
    run_set_of,
    short_document,
)
from gpuatlas.compare.samples import SourceRun
from gpuatlas.compare.spread import shares_run_noise
from gpuatlas.statistics import MedianBootstrap

INFO = BenchmarkInfo("public/llama.cpp/m/q4_0/b1-tg128/decode_tok_s", "llm-single", "tok/s", True)
BLOG = "https://github.com/huggingface/blog (sdxl_ort_inference.md, chart {} @{})"
T_975_NU_7 = 2.3646  # Student t, 97.5th percentile, 7 degrees of freedom


def _model(within_cv: float, between_cv: float) -> NoiseModel:
    """A noise model whose llama.cpp cells have these CVs, 7 degrees of freedom each."""
    cell = NoiseCell(within_cv, within_cv, within_cv, 7, 7, 14)
    spread = NoiseCell(between_cv, between_cv, between_cv, 7, 7, 14)
    within = NoiseLevel(None, {"llm-single": cell}, {"llm-single/llama.cpp": cell})
    between = NoiseLevel(spread, {"llm-single": spread}, {"llm-single/llama.cpp": spread})
    return NoiseModel("test", "test", 5, 6, within, between)


def _side(gpu: str, value: float, *runs: SourceRun) -> BenchmarkSamples:
    return BenchmarkSamples.from_bootstrap(
        INFO, gpu, MedianBootstrap(value, 1, None), (f"{gpu}-1",), runs[0].source, runs
    )


def test_a_source_text_names_its_document_without_row_details_or_commit() -> None:
    a100 = BLOG.format("a100.svg", "910d04d03690")
    rtx = BLOG.format("rtx.svg", "062647cf1353")
    expected = "https://github.com/huggingface/blog (sdxl_ort_inference.md)"
    assert document_of(a100) == document_of(rtx) == expected
    assert document_of("https://example.org/post") == "https://example.org/post"
    board = (
        "https://github.com/ggml-org/llama.cpp/discussions/15013 "
        "(scoreboard 'Performance of llama.cpp on NVIDIA CUDA', row 'A100')"
    )
    # the detail cut to 40 characters, the parenthesis kept
    shown = (
        "github.com/ggml-org/llama.cpp/discussions/15013 (scoreboard 'Performance of llama.cpp on…)"
    )
    assert short_document(document_of(board)) == shown


def test_only_a_version_naming_a_build_or_one_authors_window_is_pairable() -> None:
    source = "https://github.com/o/r (README.md)"
    assert run_set_of(SourceRun(1.0, source, "b4011", "2024-11-02")) is not None
    assert run_set_of(SourceRun(1.0, source, "builds of May 2024 (b28xx)", "2024-05"))
    for named in ("0.24.0 (torch 2.1.0a0)", "build 5143fa8", "master of 2025-10-29"):
        assert run_set_of(SourceRun(1.0, source, named, "2024-05")) is not None
    unpairable = (
        "",
        "diffusers (bf16)",
        "AUTOMATIC1111 webui x4 (torch 2.1)",
        "8e672ef (later rows newer builds)",
    )
    for build in unpairable:
        assert run_set_of(SourceRun(1.0, source, build, "2024-05")) is None


def test_a_pair_inside_a_build_window_says_so() -> None:
    pair = PairedSource("https://github.com/o/r (README.md)", "builds of May 2024", "", 2, 1, 1, 1)
    assert (
        pair.label()
        == "github.com/o/r (README.md), builds of May 2024 (a window of builds, not one)"
    )


def test_one_source_measuring_both_gpus_gives_a_paired_ratio_with_run_to_run_noise() -> None:
    source = "https://www.reddit.com/r/x/comments/1 ('post', u/someone)"
    a = _side("rtx-4090", 120.0, SourceRun(120.0, source, "b4011", "2024-11-02"))
    b = _side("rtx-3090", 100.0, SourceRun(100.0, source, "b4011", "2024-11-02"))
    comparison = compare_benchmark(a, b, noise=_model(within_cv=0.01, between_cv=0.40))
    assert comparison.basis is not None and comparison.basis.is_paired
    assert comparison.ratio is not None
    interval = comparison.ratio.interval
    assert interval.value == pytest.approx(1.2)
    # ln ratio ~ Student t(ν = 7) · CV · √(1/1 + 1/1): the 95% half-width in log space
    half_width = T_975_NU_7 * 0.01 * math.sqrt(2.0)
    assert interval.low == pytest.approx(1.2 * math.exp(-half_width), rel=0.005)
    assert interval.high == pytest.approx(1.2 * math.exp(half_width), rel=0.005)
    assert comparison.verdict is Verdict.A_FASTER
    assert comparison.basis.describe().startswith("paired in reddit.com/r/x/comments/1")
    assert "build b4011" in comparison.basis.describe()


def test_sides_from_different_builds_are_not_paired_and_name_both_builds() -> None:
    board = "https://github.com/ggml-org/llama.cpp/discussions/15013 (scoreboard, row '{}')"
    a = _side("a100", 120.0, SourceRun(120.0, board.format("A100"), "build 5143fa8", "2025-08"))
    b = _side("rtx", 100.0, SourceRun(100.0, board.format("RTX"), "build 2241453", "2025-08"))
    comparison = compare_benchmark(a, b, noise=_model(within_cv=0.01, between_cv=0.40))
    assert comparison.basis is not None and not comparison.basis.is_paired
    words = comparison.basis.describe()
    assert words.startswith("across sources, not one build")
    assert "build 5143fa8" in words and "build 2241453" in words
    assert comparison.ratio is not None and comparison.ratio.value == pytest.approx(1.2)
    # between-source noise (CV 40% per side) cannot decide a 1.2x lead
    assert comparison.verdict is Verdict.INCONCLUSIVE


def test_run_sets_that_agree_combine_to_their_geometric_mean_and_narrow_the_interval() -> None:
    lookup = NoiseLookup(NoiseCell(0.02, 0.02, 0.02, 50, 10, 60), "within-source", "x")
    one = PairedSource("d1", "b1", "", 110.0, 100.0, 1, 1)
    two = PairedSource("d2", "b2", "", 121.0, 100.0, 1, 1)
    single = paired_ratio([one], True, lookup, seed=3)
    both = paired_ratio([one, two], True, lookup, seed=3)
    # equal run counts: equal weights, so the combination is the geometric mean 1.1·1.21
    # ... but these two disagree by more than 2% noise allows: τ² > 0 widens the interval
    assert both.value == pytest.approx(math.sqrt(1.1 * 1.21))
    tau2 = between_run_set_variance([math.log(1.1), math.log(1.21)], [0.0008, 0.0008])
    assert tau2 == pytest.approx((math.log(1.21 / 1.1)) ** 2 / 2 - 0.0008, rel=1e-6)
    assert single.interval.low is not None and both.interval.low is not None
    assert both.interval.high is not None and single.interval.high is not None
    agree = paired_ratio([one, PairedSource("d3", "b3", "", 110.0, 100.0, 1, 1)], True, lookup, 3)
    assert agree.value == pytest.approx(1.1)
    assert agree.interval.high is not None and agree.interval.low is not None
    width = math.log(agree.interval.high / agree.interval.low)
    assert width == pytest.approx(
        math.log(single.interval.high / single.interval.low) / math.sqrt(2), rel=0.03
    )


def test_lower_is_better_pairs_are_oriented_so_above_one_means_a_is_better() -> None:
    lookup = NoiseLookup(NoiseCell(0.01, 0.01, 0.01, 50, 10, 60), "within-source", "x")
    seconds = PairedSource("d", "b", "", 2.0, 4.0, 1, 1)  # A takes half the time of B
    assert paired_ratio([seconds], False, lookup, seed=1).value == pytest.approx(2.0)


def test_paired_sources_take_each_run_sets_median_per_side() -> None:
    source = "https://example.org/table (results.md)"
    a_runs = [SourceRun(v, source, "1.0", "2025") for v in (10.0, 12.0, 11.0)]
    b_runs = [SourceRun(5.0, source, "1.0", "2025"), SourceRun(50.0, "https://other", "1.0", "")]
    [pair] = paired_sources(a_runs, b_runs)
    assert (pair.a_median, pair.b_median, pair.a_runs, pair.b_runs) == (11.0, 5.0, 3, 1)
    assert pair.variance_factor == pytest.approx(1 / 3 + 1)


def test_a_sources_reruns_are_the_run_to_run_evidence_of_diffusers() -> None:
    found = [o for o in published_repeats() if o.category == "image"]
    assert {(o.category, o.engine, o.within_source) for o in found} == {
        ("image", "diffusers", True)
    }
    # fal-ai reran SD 1.5 five times and SDXL three times before diffusers 0.22, and the
    # consistency-decoder row twice after: 4 + 2 + 1 degrees of freedom
    assert sorted(o.degrees_of_freedom for o in found) == [1, 2, 4]
    sd15 = np.log([1.610, 1.592, 1.619, 1.654, 1.591])
    sdxl = np.log([5.916, 5.912, 5.933])
    decoder = np.log([2.240, 2.230])
    squares = sum(float(np.sum((x - x.mean()) ** 2)) for x in (sd15, sdxl, decoder))
    lookup = default_noise_model().lookup("image", "diffusers", same_source=True)
    assert lookup.level == "within-source"
    assert lookup.cell.degrees_of_freedom == 7
    assert lookup.cell.cv == pytest.approx(math.sqrt(squares / 7), rel=1e-4)


def test_serving_reruns_give_each_serving_engine_its_run_to_run_noise() -> None:
    """A serving table that measured both GPUs with one build (NVIDIA's TensorRT-LLM
    perf-overview: H200 1.13-1.34x the H100 in 9 of 10 rows) was judged with the 43 %
    between-source CV, for want of run-to-run evidence, and decided nothing; three sources'
    repeats (ree2raz/inference-bench on an L4, 0xBakeer/inference-atlas on a GB10,
    Swapnil99007/nvidia-llm-inference-bench) give vLLM, SGLang, TensorRT-LLM and llama.cpp
    serving their own."""
    serving = [o for o in published_repeats() if o.category == "llm-serving"]
    assert {o.engine for o in serving} == {"vllm", "sglang", "tensorrt-llm", "llama.cpp"}
    assert all(o.degrees_of_freedom == 2 for o in serving)  # three runs a configuration
    model = default_noise_model()
    for engine in ("vllm", "sglang", "tensorrt-llm", "llama.cpp"):
        lookup = model.lookup("llm-serving", engine, same_source=True)
        assert lookup.level == "within-source" and lookup.cell.cv < 0.01


def test_with_run_sets_known_only_a_pair_shares_run_to_run_noise() -> None:
    table = "https://github.com/vladmandic/sd-data (input/benchmark-raw-*.json, medians)"
    a = _side("rtx-4090", 120.0, SourceRun(120.0, table, "webui x13 (torch 2.0-2.7)", "2026"))
    b = _side("rtx-3090", 100.0, SourceRun(100.0, table, "Forge x3 (torch 2.3)", "2026"))
    assert not shares_run_noise(a, b)  # one source text, other users' machines and builds
    without_runs = [
        BenchmarkSamples.from_bootstrap(INFO, s.gpu_id, s.bootstrap, (), table) for s in (a, b)
    ]
    assert shares_run_noise(*without_runs)  # nothing better known: the identical text decides
