"""What the store hands to other layers: plain frozen dataclasses, no SQL types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


class StoredMeasurement(NamedTuple):
    """One stored result's headline value, with its provenance (a tuple: cheap by the 100k).

    The full record (dates, agent, samples) is ``Store.get_document(result_id)``."""

    result_id: str
    gpu_id: str
    gpu_count: int
    value: float
    source: str
    quarantined: bool = False


@dataclass(frozen=True)
class BenchmarkMeasurements:
    """All values of one benchmark (name, version and run identity), grouped by system key.

    A system key is the GPU id for one GPU (``"rtx-4090"``) and ``"<n>x <gpu id>"`` for more
    (``"4x rtx-4090"``). Values are headline values in ``unit``; ``n`` is ``len(values)``.
    """

    benchmark: str
    benchmark_version: int
    category: str
    metric: str
    unit: str
    higher_is_better: bool
    by_system: dict[str, tuple[StoredMeasurement, ...]]
    identity_key: str = ""  # results of other identities are in another BenchmarkMeasurements

    def values(self, system: str) -> list[float]:
        return [measurement.value for measurement in self.by_system.get(system, ())]

    def result_ids(self, system: str) -> list[str]:
        return [measurement.result_id for measurement in self.by_system.get(system, ())]

    def sources(self, system: str) -> list[str]:
        return sorted({measurement.source for measurement in self.by_system.get(system, ())})


@dataclass(frozen=True)
class Quarantined:
    result_id: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class IngestOutcome:
    """What one batch did: new result ids, ids already stored (same content), new ids held in
    quarantine, and conflicts: ids stored with different content (the new one was not stored)."""

    accepted: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    quarantined: tuple[Quarantined, ...] = ()
    conflicts: tuple[str, ...] = ()

    @property
    def acknowledged(self) -> tuple[str, ...]:
        """Every id the server now holds (new and duplicate): the agent may drop these."""
        return self.accepted + self.duplicates


@dataclass(frozen=True)
class ResultSummary:
    """One stored result as lists and pages show it (no samples)."""

    result_id: str
    benchmark: str
    benchmark_version: int
    category: str
    gpu_id: str | None
    gpu_count: int
    gpu_name: str | None
    metric: str
    unit: str
    higher_is_better: bool
    value: float | None
    created_at: str
    source: str
    origin: str
    agent: str | None
    received_at: datetime
    quarantined: bool
    quarantine_reasons: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TokenInfo:
    name: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class GroupKey(NamedTuple):
    """One group of comparable results: a system (GPU and count) on one benchmark version and
    run identity (engine, weights, ...: records/identity.py; "" when nothing more is known)."""

    gpu_id: str
    gpu_count: int
    benchmark: str
    benchmark_version: int
    identity_key: str = ""


@dataclass(frozen=True)
class BenchmarkDescription:
    category: str
    metric: str
    unit: str
    higher_is_better: bool


@dataclass(frozen=True)
class GroupValues:
    """A group's comparable (non-quarantined) values, sorted by (value, result id)."""

    key: GroupKey
    description: BenchmarkDescription
    values: tuple[float, ...]
    result_ids: tuple[str, ...]
    sources: tuple[str, ...]


class StoredRun(NamedTuple):
    """One comparable result of a group with what places it in a run set: its source text,
    the engine version or build its settings state ("" = not stated) and the source's date."""

    value: float
    result_id: str
    source: str
    build: str
    date: str


@dataclass(frozen=True)
class GroupRuns:
    """A group's comparable results one by one (for pairing them with another GPU's results
    of the same run set), sorted by (value, result id)."""

    key: GroupKey
    runs: tuple[StoredRun, ...]


@dataclass(frozen=True)
class GroupSummary:
    """A group's precomputed statistics (computed by summary_refresh.py when the group's
    results are written). ``replicates``: float32 bytes in the format ``method`` names."""

    key: GroupKey
    description: BenchmarkDescription
    n: int
    median: float
    ci_low: float | None
    ci_high: float | None
    method: str
    result_ids: tuple[str, ...]
    sources: tuple[str, ...]
    replicates: bytes | None


@dataclass(frozen=True)
class PendingSummaries:
    """Groups whose summary must be (re)computed, and the change-log entries that said so."""

    groups: tuple[GroupKey, ...]
    change_ids: tuple[int, ...]
