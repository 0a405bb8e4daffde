"""The store's precomputed group summaries as compare/ inputs.

The store computes a summary (n, median, interval, seeded bootstrap replicates) whenever a
group's results are written (``gpuatlas.store.summary_refresh``); here a stored summary becomes
the ``MedianBootstrap`` and ``BenchmarkSamples`` that pairwise and aggregate code consume,
without recomputation. The intervals built on them (ratio, categories, Atlas Score) are
vectorised numpy over the stored replicates.
"""

from __future__ import annotations

import numpy as np

from gpuatlas.catalog.system_keys import system_key
from gpuatlas.compare.samples import BenchmarkInfo, BenchmarkSamples, SourceRun
from gpuatlas.records.workload import Workload
from gpuatlas.statistics import MedianBootstrap
from gpuatlas.store import GroupRuns, GroupSummary
from gpuatlas.store.summary_refresh import REPLICATE_DTYPE, SUMMARY_METHOD, group_benchmark_id


def bootstrap_of(summary: GroupSummary) -> MedianBootstrap:
    """The stored summary as compare/ uses it (the interval as stored, no recomputation)."""
    if summary.method != SUMMARY_METHOD:
        raise ValueError(f"summary computed by {summary.method!r}, expected {SUMMARY_METHOD!r}")
    if summary.replicates is None or summary.ci_low is None or summary.ci_high is None:
        return MedianBootstrap(summary.median, summary.n, None)
    replicates = np.frombuffer(summary.replicates, dtype=REPLICATE_DTYPE)
    return MedianBootstrap(summary.median, summary.n, replicates, (summary.ci_low, summary.ci_high))


def source_runs(group: GroupRuns | None) -> tuple[SourceRun, ...]:
    """A group's results as the run-set inputs of ``compare.pairing`` (none: not loaded)."""
    if group is None:
        return ()
    return tuple(SourceRun(r.value, r.source, r.build, r.date) for r in group.runs)


def samples_of(
    summary: GroupSummary,
    title: str = "",
    workload: Workload | None = None,
    runs: GroupRuns | None = None,
) -> BenchmarkSamples:
    """A group summary as the BenchmarkSamples that pairwise/aggregate code consumes
    (``workload``: the public benchmark's stored workload, carried as a value; ``runs``: the
    group's results one by one, where a comparison may pair them with another GPU's)."""
    key, description = summary.key, summary.description
    info = BenchmarkInfo(
        id=group_benchmark_id(key),
        category=description.category,
        unit=description.unit,
        higher_is_better=description.higher_is_better,
        title=title,
        workload=workload,
    )
    return BenchmarkSamples.from_bootstrap(
        info,
        system_key(key.gpu_id, key.gpu_count),
        bootstrap_of(summary),
        result_ids=summary.result_ids,
        source="; ".join(summary.sources),
        runs=source_runs(runs),
    )
