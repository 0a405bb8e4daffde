"""The CLI's console: honours `COLUMNS` (also when piped) and never cuts a table's cells.

A table whose narrowest layout is wider than the terminal is printed as stacked key/value
blocks (one block per row, the first column as its heading), so an id, price, date or number is
never cut with "…" at 80 columns.
"""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from rich.console import Console

from gpuatlas.table_fit import fitted


def terminal_width() -> int | None:
    """`COLUMNS` when set; else None (Rich measures a terminal, or uses its piped default)."""
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


class FittingConsole(Console):
    """A Rich console whose tables never cut cells (see module docstring)."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(fitted(self, item) for item in objects), **options)


def working(message: str) -> AbstractContextManager[object]:
    """A status line with a spinner on standard error while something takes a while, shown only
    when standard error is a terminal (never in pipes, logs or JSON output)."""
    if not sys.stderr.isatty():
        return nullcontext()
    return Console(stderr=True).status(message)


def make_console(stderr: bool = False) -> FittingConsole:
    return FittingConsole(stderr=stderr, width=terminal_width())
