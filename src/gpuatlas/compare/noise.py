"""Measurement noise as data: a versioned model of run-to-run and source-to-source variability.

Most stored results are one run (a public source publishes one number). One number has no
spread of its own, so it borrows the spread observed elsewhere, at one of two levels:

- **within source** (run-to-run): a source's own repeats — several stored results of one
  benchmark on one system from one source, or a published "mean ± sd over r runs" (llama-bench
  prints one per row). Used when both sides of a ratio come from the same source (the same
  table: same build and protocol), where only run-to-run noise separates them.
- **between source**: several results of one benchmark on one system from different sources
  (different builds, settings, machines). Used for every other ratio, and wherever the
  within-source level has too little evidence for the benchmark's category/engine.

Method (``METHOD``): each piece of evidence gives Σ (ln x − mean)² with ν_i = n_i − 1 degrees of
freedom (a published sd over r runs gives (r − 1)·(sd/mean)²); pooled per (category, engine) as
s² = Σ squares / Σ ν_i. The pooled log-standard deviation s is the coefficient of variation
(CV) used here (exact for a log-normal spread; ≈ the CV below ~30%). Its 95% interval is the
chi-square interval s·√(ν / χ²(0.975, ν)) … s·√(ν / χ²(0.025, ν)) (Wilson–Hilferty quantiles). A
cell needs ν ≥ ``MIN_DEGREES_OF_FREEDOM``; otherwise the category's cell is used, then (between
sources only) all evidence pooled.

How a result borrows it: a group of n < ``MIN_RUNS_OWN_SPREAD`` results is given replicates
median · exp(t_r), t_r = z_r · s_r / √n, where s_r² = ν s² / χ²_ν is drawn per replicate (so the
CV's own uncertainty widens the interval: t_r is Student-t with ν degrees of freedom). Groups of
n ≥ ``MIN_RUNS_OWN_SPREAD`` runs keep their own bootstrap of the median.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from gpuatlas.errors import DataFileError
from gpuatlas.statistics import BOOTSTRAP_RESAMPLES, MedianBootstrap, percentile_interval

NOISE_MODEL_FILE = "noise_model.json"
NOISE_SCHEMA = "gpuatlas.noise-model/1"
METHOD = (
    "pooled variance of ln(value) per category and engine at two levels: within one source "
    "(run-to-run: a source's repeats or published sd over its runs) and between sources "
    "(n >= 2 results of one benchmark on one system from different sources); CV = pooled "
    "log-sd; 95% chi-square interval (Wilson-Hilferty); borrowed by groups of fewer than 6 "
    "runs as Student-t replicates median*exp(z*s_r/sqrt(n)), s_r^2 = nu*s^2/chi2_nu"
)
MIN_DEGREES_OF_FREEDOM = 5
MIN_RUNS_OWN_SPREAD = 6
Z_975 = 1.959963984540054


@dataclass(frozen=True)
class SpreadObservation:
    """One piece of evidence about noise: Σ (ln x − mean)² with its degrees of freedom, for a
    benchmark's category and engine; ``within_source`` when every run came from one source
    (same build and protocol: run-to-run noise) rather than from independent sources."""

    category: str
    engine: str
    sum_of_squares: float
    degrees_of_freedom: int
    within_source: bool
    result_ids: tuple[str, ...] = ()
    results: int = 0


def from_values(
    category: str,
    engine: str,
    values: Sequence[float],
    within_source: bool,
    result_ids: tuple[str, ...] = (),
) -> SpreadObservation:
    """Several results of one benchmark on one system."""
    logs = np.log(np.asarray(values, dtype=np.float64))
    return SpreadObservation(
        category,
        engine,
        float(np.sum((logs - logs.mean()) ** 2)),
        int(logs.size - 1),
        within_source,
        result_ids,
        int(logs.size),
    )


def from_published_sd(
    category: str,
    engine: str,
    mean: float,
    standard_deviation: float,
    runs: int,
    result_ids: tuple[str, ...] = (),
) -> SpreadObservation:
    """A source's own 'mean ± sd over runs' (e.g. llama-bench's repetitions): within source."""
    cv = standard_deviation / mean
    return SpreadObservation(category, engine, (runs - 1) * cv * cv, runs - 1, True, result_ids, 1)


@dataclass(frozen=True)
class NoiseCell:
    """One pooled estimate: CV (log-sd) with its 95% interval and what it was pooled from."""

    cv: float
    cv_low: float
    cv_high: float
    degrees_of_freedom: int
    groups: int
    results: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "cv": round(self.cv, 6),
            "cv_low": round(self.cv_low, 6),
            "cv_high": round(self.cv_high, 6),
            "degrees_of_freedom": self.degrees_of_freedom,
            "groups": self.groups,
            "results": self.results,
        }


@dataclass(frozen=True)
class NoiseLookup:
    """The cell a benchmark borrows, and which pooling level it came from."""

    cell: NoiseCell
    level: str  # "within-source" (run-to-run) or "between-source"
    key: str  # "llm-single/llama.cpp", "llm-single" or "all"

    def describe(self) -> str:
        return (
            f"noise model, {self.level} {self.key}: CV {self.cell.cv * 100:.1f}% "
            f"(ν = {self.cell.degrees_of_freedom})"
        )


@dataclass(frozen=True)
class NoiseLevel:
    """Pooled cells of one level: per 'category/engine', per category, and overall."""

    overall: NoiseCell | None
    categories: dict[str, NoiseCell]
    cells: dict[str, NoiseCell]

    def find(self, category: str, engine: str) -> tuple[NoiseCell, str] | None:
        key = f"{category}/{engine}"
        if key in self.cells:
            return self.cells[key], key
        if category in self.categories:
            return self.categories[category], category
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict() if self.overall else None,
            "categories": {k: v.as_dict() for k, v in sorted(self.categories.items())},
            "cells": {k: v.as_dict() for k, v in sorted(self.cells.items())},
        }


@dataclass(frozen=True)
class NoiseModel:
    """Two levels: ``within_source`` (run-to-run: both sides of a ratio come from one source,
    sharing its build and protocol) and ``between_source`` (independent sources). A
    within-source lookup falls back to the between-source cells where its category/engine
    has too little evidence (never to another category's run-to-run noise)."""

    version: str
    method: str
    min_degrees_of_freedom: int
    min_runs_own_spread: int
    within_source: NoiseLevel
    between_source: NoiseLevel
    source_result_ids: tuple[str, ...] = field(default=(), repr=False)
    fitted_from: str = ""

    @property
    def overall(self) -> NoiseCell:
        assert self.between_source.overall is not None
        return self.between_source.overall

    def lookup(self, category: str, engine: str, same_source: bool = False) -> NoiseLookup:
        if same_source:
            found = self.within_source.find(category, engine)
            if found:
                return NoiseLookup(found[0], "within-source", found[1])
        found = self.between_source.find(category, engine)
        if found:
            return NoiseLookup(found[0], "between-source", found[1])
        return NoiseLookup(self.overall, "between-source", "all")

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": NOISE_SCHEMA,
            "version": self.version,
            "method": self.method,
            "min_degrees_of_freedom": self.min_degrees_of_freedom,
            "min_runs_own_spread": self.min_runs_own_spread,
            "fitted_from": self.fitted_from,
            "within_source": self.within_source.as_dict(),
            "between_source": self.between_source.as_dict(),
            "source_result_ids": list(self.source_result_ids),
        }


def chi2_quantile(z: float, degrees_of_freedom: int) -> float:
    """Wilson–Hilferty approximation of the chi-square quantile at the standard normal
    quantile ``z`` (z = ±1.96 for the 97.5th / 2.5th percentiles; error < 1% for ν ≥ 3)."""
    k = float(degrees_of_freedom)
    term = 1.0 - 2.0 / (9.0 * k) + z * math.sqrt(2.0 / (9.0 * k))
    return k * max(term, 1e-9) ** 3


def pooled_cell(observations: Sequence[SpreadObservation]) -> NoiseCell | None:
    """The pooled log-sd with its chi-square interval; None with no degrees of freedom."""
    degrees = sum(o.degrees_of_freedom for o in observations)
    if degrees <= 0:
        return None
    cv = math.sqrt(sum(o.sum_of_squares for o in observations) / degrees)
    return NoiseCell(
        cv=cv,
        cv_low=cv * math.sqrt(degrees / chi2_quantile(Z_975, degrees)),
        cv_high=cv * math.sqrt(degrees / chi2_quantile(-Z_975, degrees)),
        degrees_of_freedom=degrees,
        groups=len(observations),
        results=sum(o.results for o in observations),
    )


def fit_noise_model(
    observations: Iterable[SpreadObservation],
    version: str,
    fitted_from: str = "",
    min_degrees_of_freedom: int = MIN_DEGREES_OF_FREEDOM,
) -> NoiseModel:
    """Pool the observations per level, per (category, engine), per category and overall."""
    usable = [o for o in observations if o.degrees_of_freedom > 0]
    within = [o for o in usable if o.within_source]
    between = [o for o in usable if not o.within_source]
    if pooled_cell(between) is None:
        raise ValueError("a noise model needs at least one benchmark measured twice on a system")
    ids = tuple(sorted({i for o in usable for i in o.result_ids}))
    return NoiseModel(
        version=version,
        method=METHOD,
        min_degrees_of_freedom=min_degrees_of_freedom,
        min_runs_own_spread=MIN_RUNS_OWN_SPREAD,
        within_source=_level(within, min_degrees_of_freedom, with_overall=False),
        between_source=_level(between, min_degrees_of_freedom, with_overall=True),
        source_result_ids=ids,
        fitted_from=fitted_from,
    )


def _level(
    observations: Sequence[SpreadObservation], min_degrees_of_freedom: int, with_overall: bool
) -> NoiseLevel:
    return NoiseLevel(
        overall=pooled_cell(observations) if with_overall else None,
        categories=_pooled_by(observations, lambda o: o.category, min_degrees_of_freedom),
        cells=_pooled_by(
            observations, lambda o: f"{o.category}/{o.engine}", min_degrees_of_freedom
        ),
    )


def _pooled_by(
    observations: Sequence[SpreadObservation],
    key: Callable[[SpreadObservation], str],
    min_degrees_of_freedom: int,
) -> dict[str, NoiseCell]:
    buckets: dict[str, list[SpreadObservation]] = {}
    for observation in observations:
        buckets.setdefault(key(observation), []).append(observation)
    pooled = {name: pooled_cell(members) for name, members in buckets.items()}
    return {
        name: cell
        for name, cell in sorted(pooled.items())
        if cell is not None and cell.degrees_of_freedom >= min_degrees_of_freedom
    }


def _cell_from(record: Mapping[str, Any]) -> NoiseCell:
    return NoiseCell(
        cv=float(record["cv"]),
        cv_low=float(record["cv_low"]),
        cv_high=float(record["cv_high"]),
        degrees_of_freedom=int(record["degrees_of_freedom"]),
        groups=int(record["groups"]),
        results=int(record["results"]),
    )


def _level_from(record: Mapping[str, Any]) -> NoiseLevel:
    overall = record.get("overall")
    return NoiseLevel(
        overall=_cell_from(overall) if overall else None,
        categories={k: _cell_from(v) for k, v in record["categories"].items()},
        cells={k: _cell_from(v) for k, v in record["cells"].items()},
    )


def noise_model_from_dict(record: Mapping[str, Any], origin: str) -> NoiseModel:
    try:
        if record.get("schema_version") != NOISE_SCHEMA:
            raise ValueError(f"schema_version must be {NOISE_SCHEMA!r}")
        between = _level_from(record["between_source"])
        if between.overall is None:
            raise ValueError("between_source.overall is required")
        return NoiseModel(
            version=str(record["version"]),
            method=str(record["method"]),
            min_degrees_of_freedom=int(record["min_degrees_of_freedom"]),
            min_runs_own_spread=int(record["min_runs_own_spread"]),
            within_source=_level_from(record["within_source"]),
            between_source=between,
            source_result_ids=tuple(record.get("source_result_ids", ())),
            fitted_from=str(record.get("fitted_from", "")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise DataFileError(origin, [f"bad noise model: {error}"]) from None


def load_noise_model(path: Path) -> NoiseModel:
    try:
        record = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise DataFileError(str(path), [str(error)]) from None
    return noise_model_from_dict(record, str(path))


def default_noise_model_path() -> Path:
    return Path(str(resources.files("gpuatlas.compare") / "data" / NOISE_MODEL_FILE))


@cache
def default_noise_model() -> NoiseModel:
    return load_noise_model(default_noise_model_path())


def borrowed_bootstrap(
    median: float, n: int, lookup: NoiseLookup, seed: int, resamples: int = BOOTSTRAP_RESAMPLES
) -> MedianBootstrap:
    """Replicates of a median of n runs drawn from the noise model (Student-t in log space).
    A pure function of its arguments (seeded), so a report that needs the same side again (its
    sections ask per row and per category) gets the same read-only replicates without drawing
    them again."""
    return _borrowed_bootstrap(median, n, lookup.cell, seed, resamples)


BORROWED_BOOTSTRAPS_KEPT = 256  # one comparison needs ~140; 10,000 replicates are 80 kB each


@lru_cache(maxsize=BORROWED_BOOTSTRAPS_KEPT)
def _borrowed_bootstrap(
    median: float, n: int, cell: NoiseCell, seed: int, resamples: int
) -> MedianBootstrap:
    rng = np.random.default_rng(seed)
    nu = max(cell.degrees_of_freedom, 1)
    sigma = cell.cv * np.sqrt(nu / rng.chisquare(nu, size=resamples))
    logs = rng.standard_normal(resamples) * sigma / math.sqrt(max(n, 1))
    replicates = np.asarray(median * np.exp(logs), dtype=np.float64)
    replicates.flags.writeable = False  # shared by every caller asking for this side
    return MedianBootstrap(median, n, replicates, percentile_interval(replicates))


def needs_borrowing(n: int, model: NoiseModel) -> bool:
    return n < model.min_runs_own_spread


PUBLIC_PREFIX = "public/"


def engine_of(benchmark: str) -> str:
    """The engine a benchmark key names ('public/llama.cpp/…' → 'llama.cpp'); suite benchmarks
    run by the harness are 'harness'."""
    if benchmark.startswith(PUBLIC_PREFIX):
        return benchmark.removeprefix(PUBLIC_PREFIX).split("/", 1)[0]
    return "harness"
