"""Per-process application state: the store and small caches keyed by the store's revision.

Reads under write load: the store revision is ``<newest result id>.<change counter>``. New
results move only the first part (a "soft" change); releases, quarantines and data reloads move
the second (a "hard" change). While agents ingest steadily (at least BUSY_PUSHES pushes to this
worker within STALE_WINDOW_S), a cached page is served as is after soft changes; once it is
older than STALE_WINDOW_S it is rebuilt in the background (one rebuild per page at a time)
while readers still get the cached copy. So readers never wait for a rebuild under ingest, and
no page lags the newest results by more than the window plus one rebuild. Without steady ingest
(a single push) and after every hard change, pages are rebuilt before they are served.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from gpuatlas.store import Store

CACHE_ENTRIES = 256
STALE_WINDOW_S = 5.0
BUSY_PUSHES = 3
log = logging.getLogger(__name__)


@dataclass
class _Entry:
    revision: str
    value: Any
    computed_at: float


def _hard_part(revision: str) -> str:
    return revision.partition(".")[2]


def _order(revision: str) -> tuple[int, ...]:
    """Revisions in the order they happened (a newer rebuild never loses to an older one)."""
    try:
        newest, _, changes = revision.partition(".")
        return int(changes or 0), int(newest or 0)
    except ValueError:
        return (0, 0)


@dataclass
class RevisionCache:
    """Values computed from the store; an entry is valid while the store revision is unchanged
    (or, under steady ingest, for STALE_WINDOW_S after a soft change: see the module doc)."""

    entries: OrderedDict[Hashable, _Entry] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stale_window_s: float = STALE_WINDOW_S
    clock: Callable[[], float] = time.monotonic
    _pushes: deque[float] = field(default_factory=lambda: deque(maxlen=64))
    _rebuilding: set[Hashable] = field(default_factory=set)

    def note_push(self) -> None:
        """An ingest request stored results (tells steady ingest from a single push)."""
        with self.lock:
            self._pushes.append(self.clock())

    def get_or_compute(self, key: Hashable, revision: str, compute: Callable[[], Any]) -> Any:
        with self.lock:
            cached = self.entries.get(key)
            if cached is not None and self._usable(cached, revision):
                self.entries.move_to_end(key)
                if cached.revision != revision and (
                    self.clock() - cached.computed_at > self.stale_window_s
                ):
                    self._rebuild_in_background(key, revision, compute)
                return cached.value
        return self._store(key, revision, compute())

    def _usable(self, cached: _Entry, revision: str) -> bool:
        """Fresh, or (under steady ingest) behind by new results only."""
        if cached.revision == revision:
            return True
        if _hard_part(cached.revision) != _hard_part(revision):
            return False
        now = self.clock()
        return sum(1 for at in self._pushes if now - at <= self.stale_window_s) >= BUSY_PUSHES

    def _rebuild_in_background(
        self, key: Hashable, revision: str, compute: Callable[[], Any]
    ) -> None:
        if key in self._rebuilding:
            return
        self._rebuilding.add(key)

        def rebuild() -> None:
            try:
                self._store(key, revision, compute())
            except Exception:  # noqa: BLE001 - the next reader recomputes and reports it
                log.exception("background rebuild of %r failed", key)
            finally:
                with self.lock:
                    self._rebuilding.discard(key)

        threading.Thread(target=rebuild, name="page-rebuild", daemon=True).start()

    def _store(self, key: Hashable, revision: str, value: Any) -> Any:
        with self.lock:
            current = self.entries.get(key)
            if current is None or _order(current.revision) <= _order(revision):
                self.entries[key] = _Entry(revision, value, self.clock())
            while len(self.entries) > CACHE_ENTRIES:
                self.entries.popitem(last=False)
        return value


@dataclass
class AppState:
    store: Store
    cache: RevisionCache = field(default_factory=RevisionCache)

    def cached(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        return self.cache.get_or_compute(key, self.store.revision(), compute)
