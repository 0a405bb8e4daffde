"""Where a report build gets its per-system profiles: a bounded table of `SideProfile`s keyed
by what a profile depends on — the system, the workload focus, the calibration in force and the
user's price files.

`build_comparison` makes a new `ProfileCache` for each build unless the caller passes one, so by
default nothing outlives a build. A long-lived process may own one and pass it to every build
(the web server does, warming it at start-up with `warm`); it holds at most `max_entries`
profiles, least recently used dropped first."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable

from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.catalog.prices import user_price_files
from gpuatlas.catalog.systems import GpuSystem, resolve_system
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.report.context import ReportContext, ReportOptions
from gpuatlas.report.focus import Focus
from gpuatlas.report.profiles.side import SideProfile

BUILD_ENTRIES = 8  # a build needs two profiles


def system_identity(system: GpuSystem) -> tuple[Hashable, ...]:
    """Everything about a system a profile reads: its GPU and count, the links between its GPUs,
    a unified-memory device's memory configuration and a named system's name (its label)."""
    link = system.link.id if system.link else None
    network = system.network.id if system.network else None
    groups = (
        (system.bridged_groups.group_size, system.bridged_groups.link.id)
        if system.bridged_groups
        else None
    )
    host = system.host_memory.memory_gb if system.host_memory else None
    return (system.id, system.label, system.gpu_count, system.nodes, link, network, groups, host)


def inputs_fingerprint() -> tuple[Hashable, ...]:
    """What every modelled value also depends on: the calibration in force (its version and
    identity, since overrides may reuse a version) and the user's price files (path, size,
    modification time; the packaged catalog is fixed for a process)."""
    calibration = current_calibration()
    prices = []
    for path in user_price_files():
        try:
            stat = os.stat(path)
            prices.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            prices.append((str(path), -1, -1))
    return (str(getattr(calibration, "version", "")), id(calibration), tuple(prices))


class ProfileCache:
    """Profiles by (system, focus, inputs); at most `max_entries`, least recently used first
    out. Thread-safe: a server's request threads and its warm-up share one."""

    def __init__(self, max_entries: int = BUILD_ENTRIES) -> None:
        self.max_entries = max_entries
        self._profiles: OrderedDict[Hashable, SideProfile] = OrderedDict()
        self._lock = threading.Lock()
        self.built = 0  # profiles made (a miss); each is then computed part by part

    def profile(
        self, system: GpuSystem, focus: Focus, fingerprint: tuple[Hashable, ...] | None = None
    ) -> SideProfile:
        """The profile of `system` for `focus` (`fingerprint`: the inputs' fingerprint when the
        caller has read it for this build, else read now)."""
        inputs = fingerprint if fingerprint is not None else inputs_fingerprint()
        key = (system_identity(system), focus, inputs)
        with self._lock:
            found = self._profiles.get(key)
            if found is not None:
                self._profiles.move_to_end(key)
                return found
            made = self._profiles[key] = SideProfile(system, focus)
            self.built += 1
            while len(self._profiles) > self.max_entries:
                self._profiles.popitem(last=False)
            return made

    def pair(self, context: ReportContext) -> tuple[SideProfile, SideProfile]:
        """The profiles of both sides of a report, for its options (the inputs read once)."""
        focus, fingerprint = Focus.of(context.options), inputs_fingerprint()
        return (
            self.profile(context.a, focus, fingerprint),
            self.profile(context.b, focus, fingerprint),
        )

    def warm(
        self, system_names: Iterable[str] | None = None, options: ReportOptions | None = None
    ) -> int:
        """Compute every part of the profile of each system (default: every catalog GPU) for
        the options (default: the report's defaults); returns how many systems were warmed. A
        part the estimator cannot compute is left for a request to compute (and report)."""
        names = list(system_names) if system_names is not None else [g.id for g in all_gpus()]
        focus = Focus.of(options or ReportOptions())
        fingerprint = inputs_fingerprint()
        for name in names:
            self.profile(resolve_system(name), focus, fingerprint).complete()
        return len(names)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._profiles), "built": self.built}
