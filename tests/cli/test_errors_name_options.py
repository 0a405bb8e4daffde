"""A bad option value is reported with the option the user typed ('--context'), not the request
field behind it ('context_tokens')."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app

runner = CliRunner()


def _error_line(arguments: list[str]) -> str:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    return next(line for line in result.output.splitlines() if line.startswith("error:"))


@pytest.mark.unit
def test_fit_names_its_options() -> None:
    line = _error_line(["fit", "rtx-3060", "llama3.1:8b", "--context", "0", "--concurrency", "0"])
    assert line == (
        "error: --context: Input should be greater than or equal to 1; "
        "--concurrency: Input should be greater than or equal to 1"
    )


@pytest.mark.unit
def test_a_subcommand_names_its_options() -> None:
    line = _error_line(["predict", "llm", "rtx-3060", "llama3.1:8b", "--batch", "0"])
    assert line.startswith("error: --batch: Input should be greater than or equal to 1")
