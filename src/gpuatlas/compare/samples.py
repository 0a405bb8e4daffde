"""What compare/ consumes: one GPU's runs of one benchmark, with their provenance.

The runs come either as values (tests, small sets: the bootstrap is drawn on first use) or
already reduced to a ``MedianBootstrap`` (the results store's precomputed group summaries:
the values themselves are not needed and not loaded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from gpuatlas.records.workload import Workload
from gpuatlas.statistics import MedianBootstrap, SampleSummary, median_bootstrap, stable_seed


@dataclass(frozen=True)
class BenchmarkInfo:
    """A benchmark's identity and orientation (s/image and ms are lower-is-better)."""

    id: str
    category: str
    unit: str
    higher_is_better: bool
    title: str = ""
    # A public benchmark's workload as values (engine, model, shape...), for modelled stand-ins
    workload: Workload | None = field(default=None, compare=False)


class SourceRun(NamedTuple):
    """One result's value with what says which run set it belongs to (``compare.pairing``):
    the source text, the engine version or build it states and the source's date."""

    value: float
    source: str
    build: str = ""
    date: str = ""


@dataclass(frozen=True)
class BenchmarkSamples:
    """The runs of one benchmark on one GPU (each value one run's result)."""

    benchmark: BenchmarkInfo
    gpu_id: str
    values: tuple[float, ...]
    result_ids: tuple[str, ...] = ()
    source: str = ""
    precomputed: MedianBootstrap | None = field(default=None, repr=False, compare=False)
    # Each result's run set (source, build, date): what pairs it with the other GPU's results
    runs: tuple[SourceRun, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.precomputed is not None:
            if self.precomputed.n < 1 or self.precomputed.median <= 0:
                raise ValueError(f"{self.benchmark.id} on {self.gpu_id}: empty or non-positive")
            return
        if not self.values:
            raise ValueError(f"{self.benchmark.id} on {self.gpu_id}: no values")
        if any(value <= 0 for value in self.values):
            raise ValueError(f"{self.benchmark.id} on {self.gpu_id}: values must be positive")

    @classmethod
    def from_bootstrap(
        cls,
        benchmark: BenchmarkInfo,
        gpu_id: str,
        bootstrap: MedianBootstrap,
        result_ids: tuple[str, ...] = (),
        source: str = "",
        runs: tuple[SourceRun, ...] = (),
    ) -> BenchmarkSamples:
        """Samples known by their precomputed summary (median, n, bootstrap medians)."""
        return cls(benchmark, gpu_id, (), result_ids, source, precomputed=bootstrap, runs=runs)

    @property
    def n(self) -> int:
        return self.bootstrap.n if self.precomputed is not None else len(self.values)

    @cached_property
    def bootstrap(self) -> MedianBootstrap:
        """Median, n and the bootstrap medians, seeded by benchmark and GPU (drawn once)."""
        if self.precomputed is not None:
            return self.precomputed
        return median_bootstrap(self.values, stable_seed(self.benchmark.id, self.gpu_id))

    @cached_property
    def _summary(self) -> SampleSummary:
        return self.bootstrap.summary()

    def summary(self) -> SampleSummary:
        return self._summary
