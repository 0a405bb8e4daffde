"""Each side's spread as used by every interval: its own bootstrap of the median when it has
enough runs, else replicates borrowed from the noise model (``compare.noise``)."""

from __future__ import annotations

from gpuatlas.compare.noise import (
    NoiseLookup,
    NoiseModel,
    borrowed_bootstrap,
    engine_of,
    needs_borrowing,
)
from gpuatlas.compare.pairing import paired_sources
from gpuatlas.compare.samples import BenchmarkSamples
from gpuatlas.statistics import MedianBootstrap, stable_seed


def same_source(a: BenchmarkSamples, b: BenchmarkSamples) -> bool:
    """Both sides come from one and the same source (one table: same build and protocol)."""
    return bool(a.source) and a.source == b.source


def shares_run_noise(a: BenchmarkSamples, b: BenchmarkSamples) -> bool:
    """Only run-to-run noise separates the two sides: with each result's run set known, a run
    set (one source, one build) measured both (``compare.pairing``); without, one identical
    source text on both sides stands for one table."""
    if a.runs and b.runs:
        return bool(paired_sources(a.runs, b.runs))
    return same_source(a, b)


def spread_of(
    samples: BenchmarkSamples, model: NoiseModel | None, within_source: bool = False
) -> tuple[MedianBootstrap, NoiseLookup | None]:
    """The bootstrap an interval uses for these samples, and the noise cell it borrowed (None
    when the samples' own runs are used: no model given, or n ≥ the model's minimum).
    ``within_source``: the other side of the ratio comes from the same source."""
    own = samples.bootstrap
    if model is None or not needs_borrowing(own.n, model):
        return own, None
    benchmark = samples.benchmark
    lookup = model.lookup(benchmark.category, engine_of(benchmark.id), within_source)
    return borrowed_for(samples, lookup), lookup


def borrowed_for(samples: BenchmarkSamples, lookup: NoiseLookup) -> MedianBootstrap:
    """The samples' median with replicates from this noise cell (seeded by benchmark and GPU)."""
    seed = stable_seed("noise", samples.benchmark.id, samples.gpu_id)
    return borrowed_bootstrap(samples.bootstrap.median, samples.bootstrap.n, lookup, seed)
