"""Name resolution shared by the catalog: the forms people write → one stable id.

A name resolves when, after normalisation, it equals an id or alias, or when its words are a
subset of exactly one entry's words ("4090" → rtx-4090, "A100 80GB SXM4" → a100-80gb-sxm). Several
entries matching is ambiguous; none is unknown. Both fail with the candidates listed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gpuatlas.errors import UnknownNameError

_VENDOR_WORDS = {"nvidia", "geforce", "tesla", "amd", "intel", "habana", "instinct", "gpu"}
_SUFFIX_FAMILIES = {"sxm2": "sxm", "sxm4": "sxm", "sxm5": "sxm", "pcie4": "pcie", "pcie5": "pcie"}


def normalise(text: str) -> str:
    """Lower-case, '80 GB' → '80gb', punctuation → spaces, vendor words dropped."""
    lowered = re.sub(r"(\d+)\s*gb\b", r"\1gb", text.lower())
    words = re.split(r"[^a-z0-9.]+", lowered)
    return " ".join(word for word in words if word and word not in _VENDOR_WORDS)


def words_of(text: str) -> set[str]:
    """The word set of a name, with generation suffixes also read as their family (sxm4 → sxm)."""
    words = set(normalise(text).split())
    return words | {_SUFFIX_FAMILIES[word] for word in words if word in _SUFFIX_FAMILIES}


@dataclass(frozen=True)
class NameEntry:
    """One resolvable thing: its id and every name it answers to."""

    id: str
    names: tuple[str, ...]

    def normalised_names(self) -> set[str]:
        return {normalise(name) for name in (self.id, *self.names)}

    def word_set(self) -> set[str]:
        words: set[str] = set()
        for name in (self.id, *self.names):
            words |= words_of(name)
        return words


class NameIndex:
    """Resolves names to ids over a fixed set of entries."""

    def __init__(self, kind: str, entries: Iterable[NameEntry]):
        self.kind = kind
        self.entries = list(entries)
        self._exact: dict[str, str] = {}
        for entry in self.entries:
            for name in entry.normalised_names():
                self._exact.setdefault(name, entry.id)
        self._words = {entry.id: entry.word_set() for entry in self.entries}

    def resolve(self, name: str) -> str:
        """Return the id `name` means, or raise UnknownNameError with the candidates."""
        key = normalise(name)
        if key in self._exact:
            return self._exact[key]
        matches = self.word_matches(name)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnknownNameError(self.kind, name, matches, ambiguous=True)
        raise UnknownNameError(self.kind, name, self.close_matches(name))

    def word_matches(self, name: str) -> list[str]:
        query = words_of(name)
        if not query:
            return []
        return [entry_id for entry_id, words in self._words.items() if query <= words]

    def close_matches(self, name: str, limit: int = 5) -> list[str]:
        key = normalise(name)
        by_name = {normalise(n): e.id for e in self.entries for n in (e.id, *e.names)}
        near = difflib.get_close_matches(key, list(by_name), n=limit * 3, cutoff=0.5)
        return _unique([by_name[n] for n in near])[:limit]


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))
