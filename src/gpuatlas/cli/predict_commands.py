"""CLI of `gpuatlas predict …` (batch mode with --cases, and one subcommand per workload): an
area of its own, so that `predict --cases FILE` imports neither `fit` nor `calibrate` and their
answers, nor the subcommands' own modules until one is used (predict_batch.py; start-up time
of the batch mode: issue 10 item 10)."""

from __future__ import annotations

import typer

from gpuatlas.cli.predict_batch import predict_app


def register(app: typer.Typer) -> None:
    """Attach `predict` (its subcommands are added on first use) to the root app."""
    app.add_typer(predict_app, name="predict")
