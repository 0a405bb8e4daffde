"""The error document of every answer: the CLI under --json and the web's .json routes return
the same shape, ``{"schema_version": "gpuatlas.error/1", "error", "problems", ["candidates"]}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpuatlas.app.documents import schema_name

ERROR_SCHEMA = schema_name("error")


def problem_document(
    problems: Sequence[str], error: str | None = None, candidates: Sequence[str] = ()
) -> dict[str, Any]:
    """The error document: a one-line message (the first problem unless given), every problem,
    and close matches for an unknown name."""
    listed = [str(problem) for problem in problems] or ["unknown error"]
    document: dict[str, Any] = {
        "schema_version": ERROR_SCHEMA,
        "error": error or listed[0].splitlines()[0],
        "problems": listed,
    }
    if candidates:
        document["candidates"] = list(candidates)
    return document


def error_document(error: Exception) -> dict[str, Any]:
    """The error document of a user error (its problems, or its message as the one problem)."""
    problems = list(getattr(error, "problems", None) or [str(error) or type(error).__name__])
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return problem_document(problems, message, getattr(error, "candidates", None) or ())
