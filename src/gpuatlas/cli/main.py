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



def package_version() -> str:
    """The installed package's version (pyproject's `version`)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gpuatlas")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _print_version(requested: bool) -> None:
    if requested:
        typer.echo(f"gpuatlas {package_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """Which GPU for your AI workload: sourced facts, calibrated predictions, measurements."""


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
