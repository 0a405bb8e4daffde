"""Measured results from the store, as compare/ inputs (BenchmarkSamples per system key)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from gpuatlas.catalog.measurements import all_measurements
from gpuatlas.compare import BenchmarkSamples
from gpuatlas.compare.group_summaries import samples_of
from gpuatlas.records.workload import Workload
from gpuatlas.report.reading_store import given_store
from gpuatlas.store import GroupKey, GroupRuns, GroupSummary, Store, open_store
from gpuatlas.store.location import resolve_database_url
from gpuatlas.store.public_data import public_result_id

CATEGORY_TITLES = {
    "llm-serving": "LLM serving (concurrent)",
    "llm-single": "LLM single-user",
    "image": "Image generation",
    "vision": "Vision",
    "ocr": "OCR",
    "gpu-micro": "GPU micro-benchmarks",
    "system": "Host system",
    "training": "Training",
}


@dataclass(frozen=True)
class MeasuredData:
    """Samples per benchmark id per system key, plus the store's description."""

    by_system: dict[str, dict[str, BenchmarkSamples]]
    store_description: str

    def for_system(self, key: str) -> dict[str, BenchmarkSamples]:
        return self.by_system.get(key, {})

    def benchmark_categories(self) -> dict[str, str]:
        return {
            b: s.benchmark.category
            for results in self.by_system.values()
            for b, s in results.items()
        }


def load_measured(systems: Sequence[str]) -> MeasuredData:
    """Every stored (non-quarantined) result for the given system keys, as group summaries."""
    wanted = list(dict.fromkeys(systems))
    return _load(lambda store: store.group_summaries(wanted), wanted)


def load_all_measured() -> MeasuredData:
    return _load(lambda store: store.group_summaries(None), None)


def _load(
    read: Callable[[Store], list[GroupSummary]], systems: Sequence[str] | None
) -> MeasuredData:
    """Read the store's group summaries (the store keeps them up to date when results are
    written; reading never writes): O(benchmarks), whatever the number of results."""
    store = _reading_store()
    summaries = read(store)
    workloads = store.workloads({summary.key.benchmark for summary in summaries})
    found = store.group_runs(shared_groups(summaries)) if systems else store.all_group_runs()
    runs = {group.key: group for group in found}
    grouped = _group(summaries, workloads, systems, runs)
    return MeasuredData(grouped, f"results store ({store.backend})")


def shared_groups(summaries: Sequence[GroupSummary]) -> list[GroupKey]:
    """The groups of benchmarks (name, version, run identity) held by two or more of these
    systems: only their results one by one can pair across GPUs (compare.pairing)."""
    systems: dict[tuple[str, int, str], set[tuple[str, int]]] = {}
    for summary in summaries:
        key = summary.key
        benchmark = (key.benchmark, key.benchmark_version, key.identity_key)
        systems.setdefault(benchmark, set()).add((key.gpu_id, key.gpu_count))
    return [
        s.key
        for s in summaries
        if len(systems[(s.key.benchmark, s.key.benchmark_version, s.key.identity_key)]) > 1
    ]


OPEN_STORES = 4
_stores: OrderedDict[tuple[str, tuple[int, int] | None], Store] = OrderedDict()
_stores_lock = threading.Lock()


def _reading_store() -> Store:
    """The configured store, opened (migrated, seeded) once per process and kept open: its
    engine's connection pool and compiled-statement cache serve every later report. A SQLite
    file replaced on disk (same path, new file) is opened afresh."""

    given = given_store()  # a web app's own store, for the request it serves
    if given is not None:
        return given
    url, _ = resolve_database_url()
    key = (url, _file_identity(url))
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = open_store()
            while len(_stores) > OPEN_STORES:
                _stores.popitem(last=False)[1].close()
        _stores.move_to_end(key)
        return store


def _file_identity(url: str) -> tuple[int, int] | None:
    if not url.startswith("sqlite:///"):
        return None
    try:
        status = os.stat(url.removeprefix("sqlite:///"))
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _group(
    summaries: Sequence[GroupSummary],
    workloads: Mapping[str, Workload],
    systems: Sequence[str] | None,
    runs: Mapping[GroupKey, GroupRuns],
) -> dict[str, dict[str, BenchmarkSamples]]:
    """Samples per system key; a public benchmark titled from its workload, others by id."""
    grouped: dict[str, dict[str, BenchmarkSamples]] = {system: {} for system in systems or ()}
    for summary in summaries:
        workload = workloads.get(summary.key.benchmark)
        title = workload.title() if workload else summary.key.benchmark
        samples = samples_of(summary, title, workload, runs.get(summary.key))
        grouped.setdefault(samples.gpu_id, {})[samples.benchmark.id] = samples
    return grouped


ASSUMED_VARIANT_PHRASE = "variant NOT named"


def assumed_variant_results() -> frozenset[str]:
    """Result ids of public rows whose source does not name the GPU variant (the data set's
    notes say 'variant NOT named'; the likeliest variant was assumed)."""
    return _assumed_variant_results()


@cache
def _assumed_variant_results() -> frozenset[str]:
    return frozenset(
        public_result_id(row)
        for row in all_measurements()
        if ASSUMED_VARIANT_PHRASE in (row.notes or "")
    )
