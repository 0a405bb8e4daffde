"""CLI numbers go through the one formatter (numbers.py): thousands separators, no scientific
notation for everyday magnitudes (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app

SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


@pytest.mark.parametrize(
    "arguments",
    [
        ["predict", "llm", "h100-sxm", "llama-3.1-8b", "--batch", "64"],
        ["predict", "train", "4x rtx-4090", "llama-3.2-1b", "--method", "qlora", "--tokens", "1e8"],
    ],
    ids=lambda a: " ".join(a),
)
def test_predictions_have_no_scientific_notation(runner: CliRunner, arguments: list[str]) -> None:
    result = runner.invoke(app, arguments, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # the table's numbers (the provenance line's calibration hash may hold a "9e3")
    rows = [line for line in result.output.splitlines() if "│" in line]
    assert rows and SCIENTIFIC.search("\n".join(rows)) is None, result.output


def test_large_rates_are_written_with_thousands_separators(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["predict", "llm", "h100-sxm", "llama-3.1-8b", "--batch", "64"], env={"COLUMNS": "200"}
    )
    line = next(row for row in result.output.splitlines() if "│ prefill " in row)
    value, low, high = re.findall(r"\d[\d,]*(?:\.\d+)?", line)[:3]
    assert "," in value and float(value.replace(",", "")) >= 10_000  # 64 × 512 tokens of prefill
    assert (
        float(low.replace(",", "")) <= float(value.replace(",", "")) <= float(high.replace(",", ""))
    )
