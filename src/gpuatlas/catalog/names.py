"""Name resolution shared by the catalog: the forms people write → one stable id.

A name resolves when, after normalisation, it equals an id or alias (also with spaces and
hyphens removed: "rtx4090"), or when its words are a subset of exactly one entry's words ("4090" →
rtx-4090, "A100 80GB SXM4" → a100-80gb-sxm). Entries may carry a memory size, so a memory token
("24GB", or a bare "80" as in "a100-80") matches an entry of that size, and extra words (form
factors such as "sxm" or "pcie"). When several entries match and some of them are named by exactly
the query's words (ignoring memory and form-factor words), those win: "RTX 3060" means the two
RTX 3060 memory variants, not the RTX 3060 Ti. An entry whose every name carries a variant word
the query lacks ("ti", "super", "laptop", ...) is another product: "GTX 1080" is not the GTX 1080
Ti. Glued words are split when nothing matches ("RTX3060"). Several entries matching is
ambiguous; none is unknown. Both fail with the candidates listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from gpuatlas.catalog.spelling import SpellingIndex
from gpuatlas.errors import UnknownNameError

_VENDOR_WORDS = {"nvidia", "geforce", "tesla", "amd", "intel", "habana", "instinct", "gpu"}
_FILLER_WORDS = {"generation"}  # nvidia-smi: "NVIDIA RTX 6000 Ada Generation"
# The memory type a seller or spec sheet appends ("RTX 5060 Ti (16GB GDDR7)", "A100 80GB HBM2e")
# names no other product: every catalog GPU has one memory type.
_MEMORY_TYPE_WORDS = {"gddr6", "gddr6x", "gddr7", "hbm2", "hbm2e", "hbm3", "hbm3e", "lpddr5x"}
# "M4 Max (40 GPU cores)" names the chip Apple sells as the 40-core GPU; "4070 TiS" (or
# glued, "4070TiS") is the shorthand for the Ti Super.
_SINGULAR = {"cores": "core", "tis": "ti super"}
# "24gb", or a bare number of up to three digits ("a100-80"); "4090" is a model number.
_MEMORY_WORD = re.compile(r"^(?:(\d+(?:\.\d+)?)gb|(\d{1,3}))$")
# Words that make another product of the same model number: "GTX 1080" is not the 1080 Ti, and
# "RX 6800" is not the RX 6800 XT (60 against 72 compute units).
_VARIANT_WORDS = {"ti", "super", "laptop", "mobile", "sff", "nvl", "xt", "xtx", "gre"}
# Suffixes written glued to a model number ("1080ti", "6900xt", "7900xtx", "4070tis").
_GLUED_SUFFIXES = _VARIANT_WORDS | {"tis"}
_SUFFIX_FAMILIES = {
    "sxm2": "sxm",
    "sxm4": "sxm",
    "sxm5": "sxm",
    "sxm6": "sxm",
    "pcie4": "pcie",
    "pcie5": "pcie",
}


def normalise(text: str) -> str:
    """Lower-case, '80 GB' and '80G' → '80gb', punctuation → spaces, vendor words dropped."""
    lowered = re.sub(r"(\d+)\s*gb\b", r"\1gb", text.lower())
    lowered = re.sub(r"(?<![a-z0-9.])(\d+)\s*g\b", r"\1gb", lowered)  # "80G", not "A10G"
    words = re.split(r"[^a-z0-9.]+", lowered)
    dropped = _VENDOR_WORDS | _FILLER_WORDS | _MEMORY_TYPE_WORDS
    kept = (_SINGULAR.get(word, word) for word in words if word and word not in dropped)
    return " ".join(kept)


def memory_size_gb(word: str) -> float | None:
    """The memory size a word may state ("24gb" or a bare "80"), else None."""
    match = _MEMORY_WORD.match(word)
    return float(match.group(1) or match.group(2)) if match else None


def split_glued(word: str) -> list[str]:
    """A word written without its spaces, split: "rtx3060" → rtx 3060, "1080ti" → 1080 ti."""
    if memory_size_gb(word) is not None:
        return [word]
    prefixed = re.fullmatch(r"([a-z]{2,})(\d.*)", word)
    parts = list(prefixed.groups()) if prefixed else [word]
    split: list[str] = []
    for part in parts:
        suffixed = re.fullmatch(r"(\d+)([a-z]+)", part)
        glued = suffixed is not None and suffixed.group(2) in _GLUED_SUFFIXES
        if suffixed and glued:
            number, suffix = suffixed.groups()
            split += [number, *_SINGULAR.get(suffix, suffix).split()]
        else:
            split.append(part)
    return split


def words_of(text: str) -> set[str]:
    """The word set of a name, with generation suffixes also read as their family (sxm4 → sxm)."""
    words = set(normalise(text).split())
    return words | {_SUFFIX_FAMILIES[word] for word in words if word in _SUFFIX_FAMILIES}


@dataclass(frozen=True)
class NameEntry:
    """One resolvable thing: its id and every name it answers to."""

    id: str
    names: tuple[str, ...]
    memory_gb: float | None = None
    extra_words: tuple[str, ...] = ()
    # Other memory sizes the same chip is sold with (Apple: "M3 Pro 18GB" is an M3 Pro too).
    memory_options_gb: tuple[float, ...] = ()

    def has_memory(self, size_gb: float | None) -> bool:
        """The entry is sold with this memory size (its own, or one of its options)."""
        return size_gb is not None and size_gb in (self.memory_gb, *self.memory_options_gb)

    def normalised_names(self) -> set[str]:
        return {normalise(name) for name in (self.id, *self.names)}

    def word_set(self) -> set[str]:
        words: set[str] = set(self.extra_words)
        for name in (self.id, *self.names):
            words |= words_of(name)
        return words

    def core_word_sets(self) -> list[set[str]]:
        """Each name's words without memory sizes and extra words: what the name is *called*."""
        return [_core_words(words_of(name), self.extra_words) for name in (self.id, *self.names)]

    def fits_word(self, word: str, words: set[str]) -> bool:
        """A query word fits when the entry has it, or when it states this entry's memory size."""
        if word in words:
            return True
        return self.has_memory(memory_size_gb(word))


def _core_words(words: set[str], extra_words: Iterable[str] = ()) -> set[str]:
    ignored = set(extra_words) | set(_SUFFIX_FAMILIES) | set(_SUFFIX_FAMILIES.values())
    return {w for w in words if w not in ignored and memory_size_gb(w) is None}


class NameIndex:
    """Resolves names to ids over a fixed set of entries."""

    def __init__(self, kind: str, entries: Iterable[NameEntry]):
        self.kind = kind
        self.entries = list(entries)
        self._exact: dict[str, str] = {}
        self._compact: dict[str, str] = {}
        for entry in self.entries:
            for name in entry.normalised_names():
                self._exact.setdefault(name, entry.id)
                self._compact.setdefault(name.replace(" ", ""), entry.id)
        self._by_id = {entry.id: entry for entry in self.entries}
        self._words = {entry.id: entry.word_set() for entry in self.entries}
        self._fitting_found: dict[frozenset[str], list[str]] = {}

    def resolve(self, name: str) -> str:
        """Return the id `name` means, or raise UnknownNameError with the candidates."""
        found = self.exact_match(name)
        if found is not None:
            return found
        matches = self.word_matches(name)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnknownNameError(self.kind, name, matches, ambiguous=True)
        raise UnknownNameError(self.kind, name, self.close_matches(name))

    def exact_match(self, name: str) -> str | None:
        """An id or alias written out, with or without separators, and with or without a memory
        size that agrees with the entry's ("RTX 3090 24GB")."""
        key = normalise(name)
        found = self._written_out(key)
        if found is not None:
            return found
        sized = [w for w in key.split() if w.endswith("gb") and memory_size_gb(w) is not None]
        rest = " ".join(w for w in key.split() if w not in sized)
        found = self._written_out(rest) if len(sized) == 1 and rest else None
        if found is None:
            return None
        entry = self._by_id[found]
        sold = entry.memory_gb is None or entry.has_memory(memory_size_gb(sized[0]))
        return found if sold else None

    def _written_out(self, key: str) -> str | None:
        return self._exact.get(key) or self._compact.get(key.replace(" ", ""))

    def word_matches(self, name: str) -> list[str]:
        """Every entry the query's words fit; those named by exactly these words first win."""
        query = words_of(name)
        if not query:
            return []
        matches = self._fitting(query)
        unglued = {part for word in query for part in split_glued(word)}
        if not matches and unglued != query:
            query, matches = unglued, self._fitting(unglued)
        matches = [m for m in matches if not self._is_other_variant(m, query)]
        if len(matches) < 2:
            return matches
        named = [m for m in matches if self._named_by(m, query)]
        return named or matches

    def _fitting(self, query: set[str]) -> list[str]:
        key = frozenset(query)
        if key not in self._fitting_found:  # a name on many rows of a cases file: once
            self._fitting_found[key] = [
                entry_id
                for entry_id, words in self._words.items()
                if all(self._by_id[entry_id].fits_word(word, words) for word in query)
            ]
        return list(self._fitting_found[key])

    def _is_other_variant(self, entry_id: str, query: set[str]) -> bool:
        """Every name of the entry that holds the query's words carries a variant word ("ti",
        "super", "xt") the query lacks (a suffix glued to the query's model number, "9070XT", is
        one it has). Names that do not hold the query's words say nothing about it: the RX 6700
        XT's chip code "gfx1031" does not make "RX 6700" name it. When no single name holds the
        query's words (they are spread over several names), every name is weighed."""
        entry = self._by_id[entry_id]
        written = {part for word in query for part in split_glued(word)}
        wanted = _core_words(written, entry.extra_words)
        names = [{p for w in core for p in split_glued(w)} for core in entry.core_word_sets()]
        holding = [name for name in names if wanted <= name] or names
        return all((name & _VARIANT_WORDS) - written for name in holding)

    def _named_by(self, entry_id: str, query: set[str]) -> bool:
        entry = self._by_id[entry_id]
        wanted = _core_words(query, entry.extra_words)
        return any(core == wanted for core in entry.core_word_sets())

    @cached_property
    def _normalised_names(self) -> dict[str, str]:
        """Each entry's names normalised (built once: every unknown name compares with them)."""
        return {normalise(n): e.id for e in self.entries for n in (e.id, *e.names)}

    @cached_property
    def _spellings(self) -> SpellingIndex:
        """The normalised names as a spelling index (difflib's near spellings, vectorised)."""
        return SpellingIndex(list(self._normalised_names))

    def close_matches(self, name: str, limit: int = 5) -> list[str]:
        """Entries named by the query's words once memory sizes are dropped ("RTX 3090 48GB" →
        the RTX 3090s), then the nearest spellings."""
        misread = self._misread_digit_matches(name)
        named = {w for w in words_of(name) if memory_size_gb(w) is None}
        by_words = [i for i, words in self._words.items() if named and named <= words]
        key = normalise(name)
        by_name = self._normalised_names
        near = self._spellings.close_matches(key, n=limit * 3, cutoff=0.5)
        near.sort(key=lambda candidate: _model_number_edits(key, candidate))
        found = _unique([*misread, *by_words, *(by_name[n] for n in near)])
        return found[: max(limit, len(misread))]

    def _misread_digit_matches(self, name: str) -> list[str]:
        """Entries the name means once letters typed for digits are read as digits ("a10O",
        "h1OO", "rtx4O90": letter O for zero, l or I for one) and its separators dropped; they
        are only suggested, never taken silently."""
        variants = _unique([digits_for_lookalikes(name), *_without_separators(name)])
        found: list[str] = []
        for variant in variants:
            if variant == name:
                continue
            exact = self.exact_match(variant)
            found += [exact] if exact is not None else self.word_matches(variant)
        return _unique(found)


def _model_number_edits(query: str, candidate: str) -> int:
    """How many typing slips apart the nearest model numbers of `query` and `candidate` are:
    the edits (a character typed, dropped or changed, or two neighbours swapped) between a
    word with a digit in one and in the other, letters included ("rtx 4009" is one slip from
    "rtx 4090" and two from "rtx a4000"; "rtx 3065" one from "rtx 3060 ti", two from "rtx
    5060"); memory sizes are not model numbers; 9 when either has none. Orders near
    spellings, stably."""
    numbers, others = _model_numbers(query), _model_numbers(candidate)
    return min((_slips(number, other) for number in numbers for other in others), default=9)


def _model_numbers(text: str) -> list[str]:
    """The words of a normalised name that hold a digit, glued words split ("rtx4009" →
    "4009", "3090ti" → "3090"), without memory sizes ("80gb", "24")."""
    words = (part for word in text.split() for part in split_glued(word))
    return [w for w in words if re.search(r"\d", w) and memory_size_gb(w) is None]


def _slips(first: str, second: str) -> int:
    """Edits from `first` to `second`: a character inserted, deleted or replaced, or two
    adjacent characters swapped (optimal string alignment distance)."""
    before: list[int] = []
    row = list(range(len(second) + 1))
    for i, char in enumerate(first, start=1):
        previous, row = row, [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (char != other))
            swapped = i > 1 and j > 1 and char == second[j - 2] and first[i - 2] == other
            if swapped:
                row[j] = min(row[j], before[j - 2] + 1)
        before = previous
    return row[-1]


_LOOKALIKE_DIGITS = {"o": "0", "O": "0", "l": "1", "I": "1"}
_LOOKALIKE_NEXT_TO_DIGIT = re.compile(r"(?<=\d)[oOlI]|[oOlI](?=\d)")


def digits_for_lookalikes(name: str) -> str:
    """The name with each O (for 0) and l or I (for 1) that touches a digit read as that digit,
    repeatedly, so that "h1OO" becomes "h100" and "a10O" becomes "a100"."""
    previous = None
    while previous != name:
        previous = name
        name = _LOOKALIKE_NEXT_TO_DIGIT.sub(lambda m: _LOOKALIKE_DIGITS[m.group(0)], name)
    return name


def _without_separators(name: str) -> list[str]:
    fixed = digits_for_lookalikes(name)
    return [re.sub(r"[\s_-]+", "", fixed), re.sub(r"[\s_]+", "-", fixed)]


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))
