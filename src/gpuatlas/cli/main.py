"""The `gpuatlas` command: one Typer app; each area registers its own commands."""

from __future__ import annotations

import typer

from gpuatlas.cli import (
    bench_commands,
    catalog_commands,
    cost_commands,
    estimate_commands,
    model_commands,
    report_commands,
    store_commands,
)

app = typer.Typer(
    name="gpuatlas",
    help="Which GPU for your AI workload: sourced facts, calibrated predictions, measurements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for area in (
    catalog_commands,
    model_commands,
    estimate_commands,
    cost_commands,
    report_commands,
    bench_commands,
    store_commands,
):
    area.register(app)


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    run()
