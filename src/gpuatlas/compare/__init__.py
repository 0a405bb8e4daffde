"""Statistics: medians, bootstrap intervals, ratio verdicts, category means, the Atlas Score.

Measured inputs come from the results store as precomputed group summaries (median, n and
seeded bootstrap medians per GPU and benchmark: ``compare.group_summaries``), so a comparison
costs O(benchmarks) whatever the number of stored results."""

from gpuatlas.compare.aggregate import (
    AtlasScore,
    CategorySummary,
    atlas_score,
    geometric_mean_of_ratios,
    sign_test_p,
    summarize_categories,
    summarize_category,
)
from gpuatlas.compare.noise import NoiseModel, default_noise_model
from gpuatlas.compare.pairwise import BenchmarkComparison, compare_all, compare_benchmark
from gpuatlas.compare.samples import BenchmarkInfo, BenchmarkSamples
from gpuatlas.compare.verdicts import EQUIVALENCE_BAND, Tally, Verdict, tally, verdict_for
from gpuatlas.compare.weights import ScoreMethod, default_score_method
from gpuatlas.statistics import (
    Interval,
    MedianBootstrap,
    RatioEstimate,
    SampleSummary,
    median_bootstrap,
    ratio_of_bootstraps,
    ratio_of_medians,
    summarize,
)

__all__ = [
    "EQUIVALENCE_BAND",
    "AtlasScore",
    "BenchmarkComparison",
    "BenchmarkInfo",
    "BenchmarkSamples",
    "CategorySummary",
    "Interval",
    "NoiseModel",
    "MedianBootstrap",
    "RatioEstimate",
    "SampleSummary",
    "ScoreMethod",
    "Tally",
    "Verdict",
    "atlas_score",
    "compare_all",
    "compare_benchmark",
    "default_noise_model",
    "default_score_method",
    "geometric_mean_of_ratios",
    "median_bootstrap",
    "ratio_of_bootstraps",
    "ratio_of_medians",
    "summarize",
    "sign_test_p",
    "summarize_categories",
    "summarize_category",
    "tally",
    "verdict_for",
]
