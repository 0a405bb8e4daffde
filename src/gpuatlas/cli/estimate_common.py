"""What the estimate area's commands share: the --json option and model resolution."""

from __future__ import annotations

from typing import Any

import typer

JSON_OPTION = typer.Option(False, "--json", help="Machine-readable output.")


def model_object(name: str) -> Any:
    """Resolve a model name for the CLI (a config.json path, a library name, or a Hub id)."""
    from gpuatlas.catalog.models import resolve_model_argument

    return resolve_model_argument(name).model

