"""CLI commands of the bench area (thin: parse, call the domain layer, render)."""

from __future__ import annotations

import json

import typer

from gpuatlas.bench.result import result_json_schema

bench_app = typer.Typer(help="Run the benchmark suite, show and import result files.")


@bench_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of result files (gpuatlas.result/1)."""
    typer.echo(json.dumps(result_json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.add_typer(bench_app, name="bench")
