"""What compare/ consumes: one GPU's runs of one benchmark, with their provenance."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.compare.stats import SampleSummary, stable_seed, summarize


@dataclass(frozen=True)
class BenchmarkInfo:
    """A benchmark's identity and orientation (s/image and ms are lower-is-better)."""

    id: str
    category: str
    unit: str
    higher_is_better: bool
    title: str = ""


@dataclass(frozen=True)
class BenchmarkSamples:
    """The runs of one benchmark on one GPU (each value one run's result)."""

    benchmark: BenchmarkInfo
    gpu_id: str
    values: tuple[float, ...]
    result_ids: tuple[str, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError(f"{self.benchmark.id} on {self.gpu_id}: no values")
        if any(value <= 0 for value in self.values):
            raise ValueError(f"{self.benchmark.id} on {self.gpu_id}: values must be positive")

    @property
    def n(self) -> int:
        return len(self.values)

    def summary(self) -> SampleSummary:
        return summarize(self.values, stable_seed(self.benchmark.id, self.gpu_id))
