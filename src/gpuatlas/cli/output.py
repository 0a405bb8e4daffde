"""Shared rendering helpers for the CLI: JSON out, number formatting, rich tables."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from gpuatlas import numbers
from gpuatlas.cli.terminal import make_console

console = make_console()


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and paths → JSON-ready plain values (the answer layer's `plain`)."""
    from gpuatlas.app.documents import plain

    return plain(value)


def print_json(document: Any) -> None:
    """Write a JSON document to standard output (no rich markup, no wrapping)."""
    typer.echo(json.dumps(to_plain(document), indent=2, ensure_ascii=False))


def format_number(value: float | int | None, unit: str = "", digits: int = 3) -> str:
    """Readable number with its unit; '—' for a missing value (the one formatter, numbers.py)."""
    return numbers.format_number(value, unit, significant=digits)


def new_table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold", expand=False)
    for column in columns:
        table.add_column(column)
    return table


def print_name_notes(names: list[str], fit: Any = None) -> None:
    """'note: A100 read as A100 80GB SXM4 (…); other variants: …' for each GPU name of the
    request that was read as a family's default variant (the documents' name_assumptions);
    `fit` (an app.name_notes.FitSetting) adds the variants on which a fit verdict flips."""
    from gpuatlas.app.name_notes import name_notes

    for note in name_notes(names, fit):
        console.print(f"note: {note}", markup=False, highlight=False)  # wraps at spaces


def print_model_note(name: str | None) -> None:
    """'note: Hermes-3-Llama-3.1-8B read as llama-3.1-8b (a fine-tune …)' when the model name
    was read as another library id (the documents' model_assumption)."""
    if not name:
        return
    from gpuatlas.app.name_notes import model_assumption

    found = model_assumption(name)
    if found is not None:
        console.print(f"note: {found['note']}", markup=False, highlight=False)
