"""One benchmark, two GPUs: medians, the oriented ratio with its interval, and the verdict.

Where one or more run sets (one source, one build: ``compare.pairing``) measured both GPUs,
the ratio is theirs alone, with run-to-run noise; otherwise it is the ratio of each side's
results across sources, and its ``basis`` says so, naming each side's sources and builds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gpuatlas.compare.noise import NoiseLookup, NoiseModel, engine_of
from gpuatlas.compare.pairing import (
    ComparisonBasis,
    across_sources,
    paired_ratio,
    paired_sources,
)
from gpuatlas.compare.samples import BenchmarkInfo, BenchmarkSamples
from gpuatlas.compare.spread import shares_run_noise, spread_of
from gpuatlas.compare.verdicts import (
    EQUIVALENCE_BAND,
    Verdict,
    inconclusive_reason,
    verdict_for,
)
from gpuatlas.statistics import RatioEstimate, SampleSummary, ratio_of_bootstraps, stable_seed


@dataclass(frozen=True)
class BenchmarkComparison:
    """A benchmark measured on at least one side; ratio and verdict only when on both."""

    benchmark: BenchmarkInfo
    a: BenchmarkSamples | None
    b: BenchmarkSamples | None
    ratio: RatioEstimate | None
    verdict: Verdict
    reason: str | None
    a_noise: NoiseLookup | None = None  # the noise cell A's interval borrowed (None: own runs)
    b_noise: NoiseLookup | None = None
    basis: ComparisonBasis | None = None  # paired in one source, or across sources

    @property
    def a_summary(self) -> SampleSummary | None:
        return self.a.summary() if self.a else None

    @property
    def b_summary(self) -> SampleSummary | None:
        return self.b.summary() if self.b else None


def compare_benchmark(
    a: BenchmarkSamples | None,
    b: BenchmarkSamples | None,
    band: float = EQUIVALENCE_BAND,
    noise: NoiseModel | None = None,
) -> BenchmarkComparison:
    """The ratio A/B with its interval and verdict. With a noise model, a side with fewer runs
    than the model's minimum borrows its spread from the model instead of having none."""
    present = a or b
    if present is None:
        raise ValueError("a benchmark comparison needs samples on at least one side")
    info = present.benchmark
    if a is None or b is None:
        missing = "A" if a is None else "B"
        return BenchmarkComparison(
            info, a, b, None, Verdict.INCONCLUSIVE, f"no measurement for {missing}"
        )
    pairs = paired_sources(a.runs, b.runs) if noise is not None else []
    shared = shares_run_noise(a, b)
    a_spread, a_noise = spread_of(a, noise, shared)
    b_spread, b_noise = spread_of(b, noise, shared)
    seed = stable_seed(info.id, a.gpu_id, b.gpu_id)
    basis: ComparisonBasis | None
    if noise is not None and pairs:
        engine = engine_of(info.id)
        lookup = noise.lookup(info.category, engine, same_source=True)
        ratio = paired_ratio(pairs, info.higher_is_better, lookup, seed)
        basis = ComparisonBasis(
            "paired", tuple(pairs), noise=lookup, cell=f"{info.category}/{engine}"
        )
    else:
        ratio = ratio_of_bootstraps(a_spread, b_spread, info.higher_is_better, seed)
        basis = across_sources(a.runs, b.runs) if a.runs and b.runs else None
    return BenchmarkComparison(
        info,
        a,
        b,
        ratio,
        verdict_for(ratio.interval, band),
        inconclusive_reason(ratio.interval, band),
        a_noise,
        b_noise,
        basis,
    )


def compare_all(
    a_results: Mapping[str, BenchmarkSamples],
    b_results: Mapping[str, BenchmarkSamples],
    band: float = EQUIVALENCE_BAND,
    noise: NoiseModel | None = None,
) -> list[BenchmarkComparison]:
    """Every benchmark either side has, in (category, id) order."""
    ids = set(a_results) | set(b_results)
    comparisons = [compare_benchmark(a_results.get(i), b_results.get(i), band, noise) for i in ids]
    return sorted(comparisons, key=lambda c: (c.benchmark.category, c.benchmark.id))
