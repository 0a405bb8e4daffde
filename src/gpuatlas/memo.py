"""Answers remembered for the very objects they were computed from.

The planner asks the estimators the same questions tens of thousands of times (every GPU ×
count × format of a plan shares one-GPU replicas, runtimes and calibration groups). Its
arguments are frozen catalog objects that hold dicts, so they cannot be hashed: a memo keys an
answer by names and object ids, and keeps the objects it was computed from beside it. A hit
needs those very objects (names: equal text), so an id reused by a new object, another
calibration in force or a system built anew never gets an old answer; the entry keeps its
objects alive, so their ids stay theirs while it lasts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def object_key(argument: object) -> str | int:
    """A key for an argument: a name as written, else the object's id."""
    return argument if isinstance(argument, str) else id(argument)


def _same_objects(known: Sequence[object], given: Sequence[object]) -> bool:
    return len(known) == len(given) and all(
        old is new or (isinstance(old, str) and old == new)
        for old, new in zip(known, given, strict=True)
    )


class IdentityMemo(Generic[K, V]):
    """At most `limit` answers by key, each valid for the objects (`sources`) it came from;
    full, it starts again empty (a plan's working set is far below the limits used)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._entries: dict[K, tuple[tuple[object, ...], V]] = {}

    def answer(self, key: K, sources: tuple[object, ...], compute: Callable[[], V]) -> V:
        """The answer remembered for `key` from these very `sources`, else `compute()`'s,
        remembered. An exception is not remembered: the next call computes afresh."""
        known = self._entries.get(key)
        if known is not None and _same_objects(known[0], sources):
            return known[1]
        found = compute()
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[key] = (sources, found)
        return found

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
