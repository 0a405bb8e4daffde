"""An unknown value from a short fixed list (a benchmark category, a server API): the error
names the close matches, or every valid value when nothing is close."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from gpuatlas.errors import UnknownNameError


def unknown_choice(kind: str, name: str, choices: Iterable[str]) -> UnknownNameError:
    """'unknown API 'ollama'; close matches: ollama-generate, ollama-chat'."""
    valid = sorted(set(choices))
    starting = [choice for choice in valid if name and choice.startswith(name.lower())]
    near = difflib.get_close_matches(name.lower(), valid, n=5, cutoff=0.5)
    close = list(dict.fromkeys([*starting, *near]))
    error = UnknownNameError(kind, name, close or valid)
    if not close:  # nothing close: name them all as the valid values, not as close matches
        error.args = (f"unknown {kind} {name!r}; valid: {', '.join(valid)}",)
    return error


def checked_choice(kind: str, name: str, choices: Iterable[str]) -> str:
    """`name` when it is one of `choices`; otherwise the unknown_choice error is raised."""
    valid = list(choices)
    if name not in valid:
        raise unknown_choice(kind, name, valid)
    return name
