"""Per-group summaries, computed by the store whenever results are written.

A comparison needs, per (system, benchmark version, run identity) group, only n, the median and
the seeded bootstrap medians (``MedianBootstrap``). Every write logs the groups it changed in
its own transaction (``summaries.log_changes``); right after it commits, the store recomputes
exactly those groups (``refresh``) and stores the replicates as a fixed-size float32 array.
Reading a comparison's inputs is then a pure read, O(benchmarks) whatever the number of
results; a report never writes to the database.

The replicates are exactly those ``BenchmarkSamples.bootstrap`` draws from the values (same
seed: the group's benchmark id and system key; same method), kept to float32 precision.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from gpuatlas.catalog.system_keys import system_key
from gpuatlas.records.identity import benchmark_key
from gpuatlas.statistics import BOOTSTRAP_RESAMPLES, median_bootstrap, stable_seed
from gpuatlas.store.records import GroupKey, GroupSummary, GroupValues, PendingSummaries

SUMMARY_METHOD = f"median-bootstrap/order-statistics/v1;resamples={BOOTSTRAP_RESAMPLES};float32"
REPLICATE_DTYPE = np.dtype("<f4")
GROUPS_PER_BATCH = 200
_refresh_lock = threading.Lock()


def group_benchmark_id(key: GroupKey) -> str:
    """The group's benchmark id in comparisons: results of another run identity (engine,
    weights: records/identity.py) are another benchmark, never paired or pooled with these."""
    benchmark = benchmark_key(key.benchmark, key.benchmark_version)
    return f"{benchmark} [{key.identity_key}]" if key.identity_key else benchmark


def group_seed(key: GroupKey) -> int:
    """The seed ``BenchmarkSamples.bootstrap`` uses for this group's values."""
    return stable_seed(group_benchmark_id(key), system_key(key.gpu_id, key.gpu_count))


class SummaryStore(Protocol):
    """What a refresh needs of the store (store.Store is one): the module stays below it."""

    def pending_summaries(self, method: str) -> PendingSummaries: ...

    def group_values(self, groups: Sequence[GroupKey]) -> list[GroupValues]: ...

    def save_group_summaries(
        self, computed: Sequence[GroupSummary], removed: Sequence[GroupKey] = ()
    ) -> None: ...

    def finish_summary_refresh(self, change_ids: Sequence[int], method: str) -> None: ...


def refresh(store: SummaryStore) -> int:
    """Recompute the summaries of every group changed since the last refresh; returns how many
    groups were recomputed (0, after two cheap queries, when nothing changed)."""
    with _refresh_lock:
        pending = store.pending_summaries(SUMMARY_METHOD)
        if not pending.groups and not pending.change_ids:
            return 0
        for start in range(0, len(pending.groups), GROUPS_PER_BATCH):
            _refresh_batch(store, pending.groups[start : start + GROUPS_PER_BATCH])
        store.finish_summary_refresh(pending.change_ids, SUMMARY_METHOD)
        return len(pending.groups)


def _refresh_batch(store: SummaryStore, groups: Sequence[GroupKey]) -> None:
    found = store.group_values(groups)
    present = {values.key for values in found}
    store.save_group_summaries(
        [summarize_group(values) for values in found],
        removed=[group for group in groups if group not in present],
    )


def summarize_group(values: GroupValues) -> GroupSummary:
    bootstrap = median_bootstrap(values.values, group_seed(values.key))
    low, high = bootstrap.interval or (None, None)
    return GroupSummary(
        key=values.key,
        description=values.description,
        n=bootstrap.n,
        median=bootstrap.median,
        ci_low=low,
        ci_high=high,
        method=SUMMARY_METHOD,
        result_ids=values.result_ids,
        sources=values.sources,
        replicates=_encode(bootstrap.replicates),
    )


def _encode(replicates: np.ndarray | None) -> bytes | None:
    return None if replicates is None else replicates.astype(REPLICATE_DTYPE).tobytes()
