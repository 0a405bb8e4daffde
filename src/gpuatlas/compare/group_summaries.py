"""Precomputed statistics per (system, benchmark) group, kept in the results store.

A comparison needs, per group, only n, the median and the seeded bootstrap medians
(``MedianBootstrap``). They are computed once when the group's results change — the store logs
every changed group in the writing transaction, and ``refresh_group_summaries`` (run before
measured data is read, or right after a bulk load) recomputes exactly those groups — and are
stored as a fixed-size float32 array. Reading a comparison's inputs is then O(benchmarks), not
O(results); the intervals built on them (ratio, categories, Atlas Score) are vectorised numpy
over the stored replicates.

The replicates are exactly those ``BenchmarkSamples.bootstrap`` draws from the values (same
seed: benchmark id and system key; same method), kept to float32 precision.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from gpuatlas.compare.samples import BenchmarkInfo, BenchmarkSamples, benchmark_key
from gpuatlas.compare.stats import (
    BOOTSTRAP_RESAMPLES,
    MedianBootstrap,
    median_bootstrap,
    stable_seed,
)

if TYPE_CHECKING:
    from gpuatlas.store import GroupKey, GroupSummary, GroupValues, Store

SUMMARY_METHOD = f"median-bootstrap/order-statistics/v1;resamples={BOOTSTRAP_RESAMPLES};float32"
REPLICATE_DTYPE = np.dtype("<f4")
GROUPS_PER_BATCH = 200
_refresh_lock = threading.Lock()


def system_key(gpu_id: str, gpu_count: int) -> str:
    return gpu_id if gpu_count == 1 else f"{gpu_count}x {gpu_id}"


def group_benchmark_id(key: GroupKey) -> str:
    """The group's benchmark id in comparisons: results of another run identity (engine,
    weights: bench/identity.py) are another benchmark, never paired or pooled with these."""
    benchmark = benchmark_key(key.benchmark, key.benchmark_version)
    return f"{benchmark} [{key.identity_key}]" if key.identity_key else benchmark


def group_seed(key: GroupKey) -> int:
    """The seed ``BenchmarkSamples.bootstrap`` uses for this group's values."""
    return stable_seed(group_benchmark_id(key), system_key(key.gpu_id, key.gpu_count))


def refresh_group_summaries(store: Store) -> int:
    """Recompute the summaries of every group changed since the last refresh; returns how many
    groups were recomputed (0, after two cheap queries, when nothing changed)."""
    with _refresh_lock:
        pending = store.pending_summaries(SUMMARY_METHOD)
        if not pending.groups and not pending.change_ids:
            return 0
        for start in range(0, len(pending.groups), GROUPS_PER_BATCH):
            _refresh_batch(store, pending.groups[start:start + GROUPS_PER_BATCH])
        store.finish_summary_refresh(pending.change_ids, SUMMARY_METHOD)
        return len(pending.groups)


def _refresh_batch(store: Store, groups: Sequence[GroupKey]) -> None:
    found = store.group_values(groups)
    present = {values.key for values in found}
    store.save_group_summaries(
        [summarize_group(values) for values in found],
        removed=[group for group in groups if group not in present],
    )


def summarize_group(values: GroupValues) -> GroupSummary:
    from gpuatlas.store import GroupSummary

    bootstrap = median_bootstrap(values.values, group_seed(values.key))
    low, high = bootstrap.interval or (None, None)
    return GroupSummary(
        key=values.key, description=values.description, n=bootstrap.n,
        median=bootstrap.median, ci_low=low, ci_high=high, method=SUMMARY_METHOD,
        result_ids=values.result_ids, sources=values.sources,
        replicates=_encode(bootstrap.replicates),
    )


def _encode(replicates: np.ndarray | None) -> bytes | None:
    return None if replicates is None else replicates.astype(REPLICATE_DTYPE).tobytes()


def bootstrap_of(summary: GroupSummary) -> MedianBootstrap:
    """The stored summary as compare/ uses it (the interval as stored, no recomputation)."""
    if summary.method != SUMMARY_METHOD:
        raise ValueError(f"summary computed by {summary.method!r}, expected {SUMMARY_METHOD!r}")
    if summary.replicates is None or summary.ci_low is None or summary.ci_high is None:
        return MedianBootstrap(summary.median, summary.n, None)
    replicates = np.frombuffer(summary.replicates, dtype=REPLICATE_DTYPE)
    return MedianBootstrap(
        summary.median, summary.n, replicates, (summary.ci_low, summary.ci_high)
    )


def samples_of(summary: GroupSummary, title: str = "") -> BenchmarkSamples:
    """A group summary as the BenchmarkSamples that pairwise/aggregate code consumes."""
    key, description = summary.key, summary.description
    info = BenchmarkInfo(
        id=group_benchmark_id(key),
        category=description.category,
        unit=description.unit,
        higher_is_better=description.higher_is_better,
        title=title,
    )
    return BenchmarkSamples.from_bootstrap(
        info,
        system_key(key.gpu_id, key.gpu_count),
        bootstrap_of(summary),
        result_ids=summary.result_ids,
        source="; ".join(summary.sources),
    )
