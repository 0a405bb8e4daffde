"""The file an `--output/-o` option names: checked before any work is done (a missing folder
was a traceback after the whole batch or report had run), and written with a clear error."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.errors import InvalidRequestError


def output_problems(path: Path | None) -> list[str]:
    """Why `path` cannot be written, in words (none: it can be, as far as can be told first)."""
    if path is None:
        return []
    folder = path.parent
    if path.is_dir():
        return [f"--output {path} is a folder: name a file in it (e.g. {path / 'out.txt'})"]
    if not folder.is_dir():
        return [f"--output {path}: folder {folder} does not exist (create it, or name another)"]
    return []


def check_output(path: Path | None) -> None:
    """Raise every problem with the output file before the answer is computed."""
    problems = output_problems(path)
    if problems:
        raise InvalidRequestError(problems)


def write_output(path: Path, text: str) -> None:
    """Write `text` to `path`; a refusal by the system (permissions, a full disk) is a request
    problem with the system's reason, not a traceback."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InvalidRequestError([f"cannot write {path}: {error.strerror or error}"]) from None


__all__ = ["check_output", "output_problems", "write_output"]
