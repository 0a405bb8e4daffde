"""Errors a user can act on. Every message says what was wrong and what to do."""

from __future__ import annotations


class GpuAtlasError(Exception):
    """Base class: the CLI prints these without a traceback and exits with code 2."""


class UnknownNameError(GpuAtlasError):
    """A GPU, system, model, format, engine or provider name that does not resolve."""

    def __init__(
        self,
        kind: str,
        name: str,
        candidates: list[str],
        ambiguous: bool = False,
        hint: str = "",
        known: list[str] | None = None,
    ):
        """`known`: every valid name, listed as such when none of them is close (they were
        listed as 'close matches': 'draw things' was close to every image engine)."""
        self.kind = kind
        self.name = name
        self.candidates = candidates or list(known or [])
        self.ambiguous = ambiguous
        self.hint = hint
        if not candidates and known:
            message = f"unknown {kind} {name!r}; none is close; known: {', '.join(known)}"
            message += f". {hint}" if hint else ""
        elif ambiguous:
            message = f"{kind} {name!r} is ambiguous; did you mean one of: {', '.join(candidates)}?"
            message += f" {hint}" if hint else ""
        elif candidates:
            message = f"unknown {kind} {name!r}; close matches: {', '.join(candidates)}"
            message += f". {hint}" if hint else ""
        else:
            message = f"unknown {kind} {name!r}" + (f". {hint}" if hint else "")
        super().__init__(message)


class DataFileError(GpuAtlasError):
    """A data file (catalog, price list, config.json, result file) with bad content.

    Carries every problem found, each naming its line (when the format has lines) and field.
    """

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{path}: {len(problems)} problem(s)\n{listing}")


class InvalidRequestError(GpuAtlasError):
    """A request (CLI options, API body) with one or more problems, all listed at once."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))
