"""`gpuatlas compare` reads its option defaults without importing the answer layer (start-up);
they must stay the request model's, which the web app uses."""

from __future__ import annotations

import typer

from gpuatlas.app.compare import ComparisonOptions
from gpuatlas.cli import report_commands


def test_the_command_line_defaults_are_the_request_models() -> None:
    holder = typer.Typer()
    holder.command()(report_commands.compare)
    command = typer.main.get_command(holder)
    defaults = {parameter.name: parameter.default for parameter in command.params}
    fields = ComparisonOptions.model_fields
    assert defaults["context_tokens"] == fields["context_tokens"].default
    assert defaults["electricity_usd_per_kwh"] == fields["electricity_usd_per_kwh"].default
    assert defaults["pue"] == fields["pue"].default
