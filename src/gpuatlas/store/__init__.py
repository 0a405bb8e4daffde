"""The results store: SQLite (WAL) by default, PostgreSQL via GPUATLAS_DATABASE_URL.

from gpuatlas.store import open_store
store = open_store()                                   # default database, migrated, seeded
for benchmark in store.measurements_for(["rtx-4090", "a100-80gb-sxm"]):
    benchmark.values("rtx-4090"), benchmark.result_ids("rtx-4090")
"""

from gpuatlas.store.opening import open_store
from gpuatlas.store.records import (
    BenchmarkDescription,
    BenchmarkMeasurements,
    GroupKey,
    GroupSummary,
    GroupValues,
    IngestOutcome,
    PendingSummaries,
    Quarantined,
    ResultSummary,
    StoredMeasurement,
    TokenInfo,
)
from gpuatlas.store.store import Store

__all__ = [
    "BenchmarkDescription",
    "BenchmarkMeasurements",
    "GroupKey",
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
