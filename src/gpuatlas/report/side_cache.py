"""A bounded, process-wide cache of per-system modelled results.

A modelled section computes the same things for a system whatever the pair it is shown in
(its fit table row, its decode speed, its serving scenario, its TCO). Those per-side results
depend only on the system, the report options a computation names, the calibration in force
and the price files; `side_cached` keys them by exactly that, so building "A vs B" after
"A vs C" reuses A's work. Cached values are frozen dataclasses or tuples: never mutate them.

`gpuatlas serve` warms the cache at startup (`warm_side_cache`, in a background thread) for
every catalog GPU with the default options, so a first request of any pair finds both sides.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from gpuatlas.catalog.systems import GpuSystem

T = TypeVar("T")
log = logging.getLogger(__name__)

SIDE_CACHE_ENTRIES = 20_000
_ENTRIES: OrderedDict[Hashable, object] = OrderedDict()
_LOCK = threading.Lock()
_STATS = {"hits": 0, "misses": 0}
_MISSING = object()
_FIXED_INPUTS: ContextVar[tuple[Hashable, ...] | None] = ContextVar("side_inputs", default=None)


def system_key(system: GpuSystem) -> tuple[Hashable, ...]:
    """What identifies a system: its GPU and count, and the links between its GPUs."""
    link = system.link.id if system.link else None
    network = system.network.id if system.network else None
    return (system.gpu.id, system.gpu_count, system.nodes, link, network)


def inputs_fingerprint() -> tuple[Hashable, ...]:
    """What every modelled value also depends on: the calibration in force (its version and
    identity, since overrides may reuse a version) and the user's price files (path, size,
    modification time; the packaged catalog is fixed for a process)."""
    from gpuatlas.catalog.prices import user_price_files
    from gpuatlas.performance.calibration_table import current_calibration

    calibration = current_calibration()
    prices = []
    for path in user_price_files():
        try:
            stat = os.stat(path)
            prices.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            prices.append((str(path), -1, -1))
    return (str(getattr(calibration, "version", "")), id(calibration), tuple(prices))


@contextmanager
def inputs_fixed() -> Iterator[None]:
    """Within one build, read the inputs' fingerprint once (it stats the price files) instead
    of at every cached call."""
    token = _FIXED_INPUTS.set(inputs_fingerprint())
    try:
        yield
    finally:
        _FIXED_INPUTS.reset(token)


def side_cached(
    name: str, system: GpuSystem, options: Iterable[Hashable], compute: Callable[[], T]
) -> T:
    """`compute()` for this system and these options, computed once per process and inputs."""
    fixed = _FIXED_INPUTS.get()
    fingerprint = fixed if fixed is not None else inputs_fingerprint()
    key = (name, system_key(system), tuple(options), fingerprint)
    with _LOCK:
        found = _ENTRIES.get(key, _MISSING)
        if found is not _MISSING:
            _ENTRIES.move_to_end(key)
            _STATS["hits"] += 1
            return found  # type: ignore[return-value]
    value = compute()
    with _LOCK:
        _STATS["misses"] += 1
        if fixed is None and inputs_fingerprint() != fingerprint:
            return value  # the inputs changed while computing: keep nothing
        _ENTRIES[key] = value
        while len(_ENTRIES) > SIDE_CACHE_ENTRIES:
            _ENTRIES.popitem(last=False)
    return value


def clear_side_cache() -> None:
    with _LOCK:
        _ENTRIES.clear()
        _STATS.update(hits=0, misses=0)


def side_cache_stats() -> dict[str, int]:
    with _LOCK:
        return {"entries": len(_ENTRIES), **_STATS}


def warm_side_cache(system_names: Iterable[str] | None = None) -> int:
    """Compute every modelled section's per-side results for each system (default: every
    catalog GPU) with the default options; returns how many systems were warmed."""
    from gpuatlas.catalog.gpus import all_gpus
    from gpuatlas.catalog.systems import resolve_system
    from gpuatlas.report.context import ReportContext, ReportOptions
    from gpuatlas.report.sections.optional import builders

    names = list(system_names) if system_names is not None else [g.id for g in all_gpus()]
    sections = builders()
    for name in names:
        system = resolve_system(name)
        context = ReportContext(system, system, ReportOptions())
        with inputs_fixed():
            for section_id, builder in sections.items():
                try:
                    builder(context)
                except Exception:  # noqa: BLE001 - best effort; a request recomputes it
                    log.debug("could not warm %s for %s", section_id, name, exc_info=True)
    return len(names)
