"""Per-process application state: the store and small caches keyed by the store's revision."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from gpuatlas.store import Store

CACHE_ENTRIES = 256


@dataclass
class RevisionCache:
    """Values computed from the store; an entry is valid while the store revision is unchanged."""

    entries: OrderedDict[Hashable, tuple[str, Any]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get_or_compute(self, key: Hashable, revision: str, compute: Callable[[], Any]) -> Any:
        with self.lock:
            cached = self.entries.get(key)
            if cached is not None and cached[0] == revision:
                self.entries.move_to_end(key)
                return cached[1]
        value = compute()
        with self.lock:
            self.entries[key] = (revision, value)
            while len(self.entries) > CACHE_ENTRIES:
                self.entries.popitem(last=False)
        return value


@dataclass
class AppState:
    store: Store
    cache: RevisionCache = field(default_factory=RevisionCache)

    def cached(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        return self.cache.get_or_compute(key, self.store.revision(), compute)
