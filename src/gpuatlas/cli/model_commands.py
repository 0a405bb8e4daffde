"""CLI commands of the model-library area (thin: parse, call the domain layer, render)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
