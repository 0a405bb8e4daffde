"""The results store: SQLite (WAL) by default, PostgreSQL via GPUATLAS_DATABASE_URL.

from gpuatlas.store import open_store
store = open_store()                                   # default database, migrated, seeded
for benchmark in store.measurements_for(["rtx-4090", "a100-80gb-sxm"]):
    benchmark.values("rtx-4090"), benchmark.result_ids("rtx-4090")

`open_store` and `Store` are imported on first use, so a light module of the package
(``store.location``: where the database is; ``store.records``) imports without SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gpuatlas.store.records import (
    BenchmarkDescription,
    BenchmarkMeasurements,
    GroupKey,
    GroupRuns,
    GroupSummary,
    GroupValues,
    IngestOutcome,
    PendingSummaries,
    Quarantined,
    ResultSummary,
    StoredMeasurement,
    TokenInfo,
)

if TYPE_CHECKING:
    from gpuatlas.store.opening import open_store
    from gpuatlas.store.store import Store


def __getattr__(name: str) -> Any:
    """`open_store` and `Store`, imported (with SQLAlchemy) on first use."""
    if name == "open_store":
        from gpuatlas.store.opening import open_store

        return open_store
    if name == "Store":
        from gpuatlas.store.store import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BenchmarkDescription",
    "BenchmarkMeasurements",
    "GroupKey",
    "GroupRuns",
    "GroupSummary",
    "GroupValues",
    "IngestOutcome",
    "PendingSummaries",
    "Quarantined",
    "ResultSummary",
    "Store",
    "StoredMeasurement",
    "TokenInfo",
    "open_store",
]
