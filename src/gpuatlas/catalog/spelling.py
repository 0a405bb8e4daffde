"""Near spellings of an unknown name, as difflib.get_close_matches finds them, fast.

difflib compares the query with every candidate in pure Python: a character-count bound
(quick_ratio) for each, then the full ratio for those the bound lets through. Over the ~2,000
spellings of the catalog that is ~30 ms a name, and a `predict --cases` file with a thousand
distinct misspelt GPUs spent half a minute on it. Here the bound is computed from character
counts made once per candidate (pure Python: catalog.model_kind stays light, without NumPy),
then a longest-common-subsequence bound, and difflib's own checks run on the few candidates
both let through, so the answer is difflib's, in difflib's order; answers are kept per query,
so a name written on many rows is looked up once."""

from __future__ import annotations

import difflib
import heapq
from collections import Counter
from collections.abc import Sequence

# Slack on the vectorised bound so that float rounding never drops a candidate difflib keeps
# (difflib then applies the exact cutoff).
_BOUND_SLACK = 1e-9


class SpellingIndex:
    """The near spellings of a query among fixed candidates (difflib.get_close_matches)."""

    def __init__(self, candidates: Sequence[str]):
        self.candidates = list(candidates)
        counts = [Counter(text) for text in self.candidates]
        chars = {char for count in counts for char in count}
        # per character, its count in every candidate (columns summed per query, in C loops)
        self._by_char = {char: [count.get(char, 0) for count in counts] for char in chars}
        self._lengths = [len(text) for text in self.candidates]
        self._found: dict[tuple[str, int, float], list[str]] = {}
        self._masks = [_positions(text) for text in self.candidates]

    def close_matches(self, word: str, n: int = 3, cutoff: float = 0.6) -> list[str]:
        """difflib.get_close_matches(word, candidates, n, cutoff): the best `n` candidates with
        a similarity ratio of at least `cutoff`, best first (ties: the later string first)."""
        key = (word, n, cutoff)
        if key not in self._found:
            self._found[key] = self._close_matches(word, n, cutoff)
        return list(self._found[key])

    def _close_matches(self, word: str, n: int, cutoff: float) -> list[str]:
        if n <= 0 or not 0.0 <= cutoff <= 1.0:
            return difflib.get_close_matches(word, self.candidates, n, cutoff)  # its own error
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        scored: list[tuple[float, str]] = []
        for index in self._plausible(word, cutoff):
            candidate = self.candidates[index]
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                continue
            shared = _common_subsequence_length(self._masks[index], len(candidate), word)
            if 2.0 * shared / (len(candidate) + len(word)) < cutoff - _BOUND_SLACK:
                continue  # difflib's matching blocks are a common subsequence: ratio <= this
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, candidate))
        return [candidate for _, candidate in heapq.nlargest(n, scored)]

    def _plausible(self, word: str, cutoff: float) -> list[int]:
        """The candidates whose quick_ratio with `word` (twice the shared characters, counted
        with multiplicity, over the two lengths) reaches `cutoff`, in the candidates' order."""
        shared = [0] * len(self.candidates)
        for char, wanted in Counter(word).items():
            column = self._by_char.get(char)
            if column is not None:
                pairs = zip(shared, column, strict=True)
                shared = [s + (c if c < wanted else wanted) for s, c in pairs]
        floor = cutoff - _BOUND_SLACK
        size = len(word)
        return [
            index
            for index, (common, length) in enumerate(zip(shared, self._lengths, strict=True))
            if (2.0 * common / (length + size) if length + size else 1.0) >= floor
        ]


def _positions(text: str) -> dict[str, int]:
    """Each character's positions in `text` as the bits of an integer."""
    masks: dict[str, int] = {}
    for position, char in enumerate(text):
        masks[char] = masks.get(char, 0) | (1 << position)
    return masks


def _common_subsequence_length(masks: dict[str, int], length: int, word: str) -> int:
    """The longest common subsequence of the text of `masks` (its `length` characters) and
    `word`, bit-parallel (Allison-Dix; Hyyro 2004): zero bits of V count the matches."""
    full = (1 << length) - 1
    v = full
    for char in word:
        u = v & masks.get(char, 0)
        v = ((v + u) | (v - u)) & full
    return length - v.bit_count()
