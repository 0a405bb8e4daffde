"""Paired, within-source ratios: where one source measured both GPUs in one run set.

A run set is what one source measured with one build and one protocol: the same document
(the source's address and the first item of its detail, e.g. ``huggingface/blog
(sdxl_ort_inference.md)``; a commit it was read at is not part of it), the same stated engine
version or build, and the same date. Where a run set holds a benchmark on both GPUs, the
ratio of the two comes from that run set alone: what differs between sources (builds years
apart, other settings, other hosts) cancels, and what is left is run-to-run noise, the noise
model's within-source level (``compare.noise``).

A version that names no build (empty, or no version number: "diffusers (bf16)"), a median
over several users' submissions ("webui x4")
or a table whose later rows ran newer builds makes its rows unpairable: the two GPUs may have
run very different builds. A stated build window of one author's table ("builds of May 2024
(b28xx)": one protocol, builds days apart) pairs, and the basis says it is a window.

Several run sets that each measured both GPUs are combined by inverse variance in log space
(DerSimonian-Laird random effects: when the run sets' ratios disagree by more than their
run-to-run noise allows, that excess widens the interval). The interval draws the noise
cell's CV per replicate from its chi-square distribution (Student-t in log space), as
borrowed intervals do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gpuatlas.compare.noise import NoiseLookup
from gpuatlas.compare.samples import SourceRun
from gpuatlas.statistics import (
    BOOTSTRAP_RESAMPLES,
    FloatArray,
    Interval,
    RatioEstimate,
    percentile_interval,
)

_COMMIT = re.compile(r"\s*@[0-9a-f]{6,40}\b")
_DETAIL_END = re.compile(r"[,;)]")
# Versions that cannot pair: a median of several users' submissions, or a table whose later
# rows ran newer builds than the one it names.
_UNPAIRABLE_VERSION = re.compile(r"\bx\d+\b|newer builds", re.IGNORECASE)
# A stated window of builds of one author's table ("builds of May 2024 (b28xx)")
_BUILD_WINDOW = re.compile(r"\bbuilds of\b", re.IGNORECASE)
# What names a version: a dotted number (0.24.0, 12.2), a commit hash, a llama.cpp build
# number (b4011), the day of a master build (2025-10-29) or a pull request's branch (or the
# master just before it: "PR #4766 branch"). "diffusers (bf16)" names none.
_VERSION_TOKEN = re.compile(
    r"\d+\.\d+|\b[0-9a-f]{7,40}\b|\bb\d{3,5}\b|\b\d{4}-\d{2}-\d{2}\b|\bPR #\d+",
    re.IGNORECASE,
)
ADDRESS_LABEL_CHARS = 70
DETAIL_LABEL_CHARS = 40


def document_of(source: str) -> str:
    """The document a source text names: its address and the first item of its detail
    ('https://github.com/huggingface/blog (sdxl_ort_inference.md)'), without a commit."""
    address, _, detail = source.strip().partition(" (")
    first = _COMMIT.sub("", _DETAIL_END.split(detail, maxsplit=1)[0]).strip()
    return f"{address} ({first})" if first else address


def pairable_version(build: str) -> bool:
    """Whether a stated engine version identifies the build (or one author's build window)
    well enough to pair two GPUs' rows."""
    names_one = _VERSION_TOKEN.search(build) is not None or is_build_window(build)
    return names_one and _UNPAIRABLE_VERSION.search(build) is None


def is_build_window(build: str) -> bool:
    return _BUILD_WINDOW.search(build) is not None


def run_set_of(run: SourceRun) -> str | None:
    """The run set a result belongs to; None when it cannot be paired."""
    if not pairable_version(run.build):
        return None
    return f"{document_of(run.source)} | {run.build.strip()} | {run.date.strip()}"


@dataclass(frozen=True)
class PairedSource:
    """One run set that measured the benchmark on both GPUs (medians of its runs per side)."""

    document: str
    build: str
    date: str
    a_median: float
    b_median: float
    a_runs: int
    b_runs: int

    def log_ratio(self, higher_is_better: bool) -> float:
        """ln(A/B) oriented so > 0 means A is better."""
        value = math.log(self.a_median / self.b_median)
        return value if higher_is_better else -value

    @property
    def variance_factor(self) -> float:
        """Var(ln ratio) in units of the run-to-run variance: 1/n_A + 1/n_B."""
        return 1.0 / self.a_runs + 1.0 / self.b_runs

    def label(self) -> str:
        document = short_document(self.document)
        dated = f", {self.date}" if self.date else ""
        if is_build_window(self.build):
            return f"{document}, {self.build} (a window of builds, not one){dated}"
        build = self.build if self.build.lower().startswith("build") else f"build {self.build}"
        return f"{document}, {build}{dated}"


def short_document(document: str) -> str:
    """A document for people: without the scheme, its address and its detail each cut to a
    readable length ('github.com/…/discussions/15013 (scoreboard 'Performance of…)')."""
    address, _, detail = re.sub(r"^https?://(www\.)?", "", document).partition(" (")
    address = _cut(address, ADDRESS_LABEL_CHARS)
    return (
        f"{address} ({_cut(detail.removesuffix(')'), DETAIL_LABEL_CHARS)})" if detail else address
    )


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def paired_sources(a_runs: Sequence[SourceRun], b_runs: Sequence[SourceRun]) -> list[PairedSource]:
    """The run sets holding results of both sides, in run-set order."""
    a_sets, b_sets = _by_run_set(a_runs), _by_run_set(b_runs)
    found = []
    for key in sorted(set(a_sets) & set(b_sets)):
        a_values, b_values = a_sets[key], b_sets[key]
        first = next(run for run in a_runs if run_set_of(run) == key)
        found.append(
            PairedSource(
                document=document_of(first.source),
                build=first.build.strip(),
                date=first.date.strip(),
                a_median=float(np.median(a_values)),
                b_median=float(np.median(b_values)),
                a_runs=len(a_values),
                b_runs=len(b_values),
            )
        )
    return found


def _by_run_set(runs: Sequence[SourceRun]) -> dict[str, list[float]]:
    grouped: dict[str, list[float]] = {}
    for run in runs:
        key = run_set_of(run)
        if key is not None and run.value > 0:
            grouped.setdefault(key, []).append(run.value)
    return grouped


def between_run_set_variance(log_ratios: Sequence[float], variances: Sequence[float]) -> float:
    """DerSimonian-Laird τ²: the variance of the run sets' true ratios beyond their noise
    (0 for one run set, or when they agree within their noise)."""
    if len(log_ratios) < 2:
        return 0.0
    weights = np.array([1.0 / v for v in variances])
    logs = np.asarray(log_ratios, dtype=np.float64)
    mean = float(np.sum(weights * logs) / np.sum(weights))
    q = float(np.sum(weights * (logs - mean) ** 2))
    c = float(np.sum(weights) - np.sum(weights**2) / np.sum(weights))
    return max(0.0, (q - (len(logs) - 1)) / c) if c > 0 else 0.0


def paired_ratio(
    pairs: Sequence[PairedSource],
    higher_is_better: bool,
    lookup: NoiseLookup,
    seed: int,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> RatioEstimate:
    """A/B (> 1: A better) from the run sets that measured both, with a 95% interval from the
    run-to-run noise of ``lookup`` (and the run sets' disagreement, when several)."""
    if not pairs:
        raise ValueError("a paired ratio needs at least one run set measuring both sides")
    logs = [pair.log_ratio(higher_is_better) for pair in pairs]
    factors = np.array([pair.variance_factor for pair in pairs])
    cv = lookup.cell.cv
    tau2 = between_run_set_variance(logs, list(cv * cv * factors))
    weights = 1.0 / (cv * cv * factors + tau2)
    point_log = float(np.sum(weights * np.asarray(logs)) / np.sum(weights))
    replicates = _replicates(point_log, factors, tau2, lookup, seed, resamples)
    low, high = percentile_interval(replicates)
    return RatioEstimate(Interval(math.exp(point_log), low, high), replicates, True)


def _replicates(
    point_log: float,
    factors: FloatArray,
    tau2: float,
    lookup: NoiseLookup,
    seed: int,
    resamples: int,
) -> FloatArray:
    """exp(point + z·σ_r), σ_r² the combined variance with the CV drawn per replicate."""
    rng = np.random.default_rng(seed)
    nu = max(lookup.cell.degrees_of_freedom, 1)
    cv_draws = lookup.cell.cv * np.sqrt(nu / rng.chisquare(nu, size=resamples))
    per_set = cv_draws[:, None] ** 2 * factors[None, :] + tau2
    combined_sd = np.sqrt(1.0 / np.sum(1.0 / per_set, axis=1))
    logs = point_log + rng.standard_normal(resamples) * combined_sd
    return np.asarray(np.exp(logs), dtype=np.float64)


@dataclass(frozen=True)
class ComparisonBasis:
    """What a measured ratio rests on: one or more run sets that measured both GPUs
    ("paired"), or each side's results from different sources ("across sources")."""

    kind: str  # "paired" or "across-sources"
    paired: tuple[PairedSource, ...] = ()
    a_sources: tuple[str, ...] = ()  # across sources: each side's run sets, as labels
    b_sources: tuple[str, ...] = ()
    noise: NoiseLookup | None = None  # paired: the run-to-run noise the interval used
    cell: str = ""  # paired: the category/engine whose run-to-run noise was looked up

    @property
    def is_paired(self) -> bool:
        return self.kind == "paired"

    def describe(self) -> str:
        """One sentence for people, e.g. 'paired in huggingface/blog (sdxl_ort_inference.md),
        build 0.24.0 (torch 2.1.0a0), 2024-01-15: run-to-run noise CV 1.3% (ν = 88)'."""
        if self.is_paired:
            where = "; ".join(pair.label() for pair in self.paired)
            count = f"{len(self.paired)} run sets: " if len(self.paired) > 1 else ""
            noise = f": {_noise_words(self.noise, self.cell)}" if self.noise else ""
            return f"paired in {count}{where}{noise}"
        if self.a_sources == self.b_sources:
            return (
                f"not paired: one source, but its version names no single build "
                f"({_listed(self.a_sources)}), so between-source noise"
            )
        return (
            f"across sources, not one build: A from {_listed(self.a_sources)}; "
            f"B from {_listed(self.b_sources)}"
        )


def _noise_words(lookup: NoiseLookup, wanted: str) -> str:
    cell = lookup.cell
    if lookup.level == "within-source":
        return f"run-to-run noise CV {cell.cv * 100:.1f}% (ν = {cell.degrees_of_freedom})"
    return (
        f"no run-to-run evidence for {wanted or lookup.key}: between-source noise CV "
        f"{cell.cv * 100:.1f}% used"
    )


SOURCES_LISTED = 2


def _listed(labels: Sequence[str]) -> str:
    shown = list(labels[:SOURCES_LISTED])
    more = len(labels) - len(shown)
    return " + ".join(shown) + (f" + {more} more" if more > 0 else "")


def source_label(run: SourceRun) -> str:
    """A result's run set for people: its document and the build it states."""
    build = run.build.strip() or "build not stated"
    return f"{short_document(document_of(run.source))}, {build}"


def across_sources(a_runs: Sequence[SourceRun], b_runs: Sequence[SourceRun]) -> ComparisonBasis:
    """The basis of a ratio whose sides come from different run sets."""
    return ComparisonBasis(
        "across-sources",
        a_sources=tuple(dict.fromkeys(source_label(run) for run in a_runs)),
        b_sources=tuple(dict.fromkeys(source_label(run) for run in b_runs)),
    )
