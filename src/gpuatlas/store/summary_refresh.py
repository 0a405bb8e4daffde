"""Per-group summaries, computed by the store in the same transaction as the write that changed
their results.

A comparison needs, per (system, benchmark version, run identity) group, only n, the median and
the seeded bootstrap medians (``MedianBootstrap``). Every write logs the groups it changed
(``summaries.log_changes``) and, before its transaction commits, recomputes exactly those
groups (``refresh``) and stores the replicates as a fixed-size float32 array: the results and
their summaries commit together or not at all, so no crash leaves a summary out of date.
Reading a comparison's inputs is then a pure read, O(benchmarks) whatever the number of
results; a report never writes to the database.

Concurrent writers: SQLite takes the write lock at BEGIN (``BEGIN IMMEDIATE``); on PostgreSQL
a refresh first takes a transaction-scoped advisory lock, so refreshes run one at a time and
each reads (read committed: every statement sees what committed before it) the results of
every writer that refreshed before it — no summary is overwritten by one computed without
another transaction's results.

The replicates are exactly those ``BenchmarkSamples.bootstrap`` draws from the values (same
seed: the group's benchmark id and system key; same method), kept to float32 precision.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa

from gpuatlas.catalog.system_keys import system_key
from gpuatlas.records.identity import benchmark_key
from gpuatlas.statistics import BOOTSTRAP_RESAMPLES, median_bootstrap, stable_seed
from gpuatlas.store import summaries as summary_sql
from gpuatlas.store.records import GroupKey, GroupSummary, GroupValues

SUMMARY_METHOD = f"median-bootstrap/order-statistics/v1;resamples={BOOTSTRAP_RESAMPLES};float32"
REPLICATE_DTYPE = np.dtype("<f4")
GROUPS_PER_BATCH = 200


def group_benchmark_id(key: GroupKey) -> str:
    """The group's benchmark id in comparisons: results of another run identity (engine,
    weights: records/identity.py) are another benchmark, never paired or pooled with these."""
    benchmark = benchmark_key(key.benchmark, key.benchmark_version)
    return f"{benchmark} [{key.identity_key}]" if key.identity_key else benchmark


def group_seed(key: GroupKey) -> int:
    """The seed ``BenchmarkSamples.bootstrap`` uses for this group's values."""
    return stable_seed(group_benchmark_id(key), system_key(key.gpu_id, key.gpu_count))


def refresh(connection: sa.Connection) -> int:
    """Recompute, in the caller's write transaction, the summaries of every group changed
    since the last refresh (this transaction's writes included); returns how many groups
    were recomputed (0, after two cheap queries, when nothing changed). An error rolls the
    whole transaction back, the write with it."""
    summary_sql.lock_for_refresh(connection)
    pending = summary_sql.pending(connection, SUMMARY_METHOD)
    if not pending.groups and not pending.change_ids:
        return 0
    for start in range(0, len(pending.groups), GROUPS_PER_BATCH):
        _refresh_batch(connection, pending.groups[start : start + GROUPS_PER_BATCH])
    summary_sql.finish(connection, pending.change_ids, SUMMARY_METHOD)
    return len(pending.groups)


def anything_pending(connection: sa.Connection) -> bool:
    """Whether a refresh would recompute anything (two reads, no lock: ``open_store`` asks
    this first, so opening an up-to-date database never waits for the write lock)."""
    pending = summary_sql.pending(connection, SUMMARY_METHOD)
    return bool(pending.groups or pending.change_ids)


def _refresh_batch(connection: sa.Connection, groups: Sequence[GroupKey]) -> None:
    found = summary_sql.group_values(connection, groups)
    present = {values.key for values in found}
    summary_sql.save(
        connection,
        [summarize_group(values) for values in found],
        [group for group in groups if group not in present],
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
