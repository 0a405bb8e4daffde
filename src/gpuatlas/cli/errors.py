"""One way to turn domain errors into a clean message and exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console

from gpuatlas.errors import GpuAtlasError

error_console = Console(stderr=True)
T = TypeVar("T")


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a GpuAtlasError as an actionable message and exit 2, without a traceback."""
    try:
        yield
    except GpuAtlasError as error:
        error_console.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
        raise typer.Exit(code=2) from None


def guarded(function: Callable[[], T]) -> T:
    with user_errors():
        return function()
