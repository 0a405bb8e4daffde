"""At any width no cell is cut: narrow terminals wrap at spaces or stack key/value blocks, and
`COLUMNS` is honoured when output is piped (the commands users pipe into grep)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rich.table import Table

from gpuatlas.cli.terminal import FittingConsole

LONG_ROW = (
    "rtx-pro-6000-blackwell-server",
    "Paperspace (DigitalOcean) (on-demand, 2026-09-20)",
    "$0.00169 ($0.00109–$0.00266)",
    "2026-09-25",
)


def rendered(width: int) -> str:
    console = FittingConsole(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    table = Table(title="offers")
    for header in ("system", "offer", "cost", "observed"):
        table.add_column(header, no_wrap=header == "system")
    table.add_row(*LONG_ROW)
    console.print(table)
    return console.export_text()


@pytest.mark.parametrize("width", [40, 60, 80, 100, 200])
def test_no_cell_is_cut_at_any_width(width: int) -> None:
    text = rendered(width)
    assert "…" not in text
    words = " ".join(text.split())
    for cell in LONG_ROW:
        for word in cell.split():
            assert word in words
    assert max(len(line) for line in text.splitlines()) <= width


def test_narrow_terminal_stacks_rows_as_key_value_blocks() -> None:
    text = rendered(40)
    assert "offer: Paperspace" in " ".join(text.split())


COMMANDS = [
    ["gpus"],
    ["prices"],
    ["bench", "list"],
    ["tco", "--gpu", "rtx-4090"],
    ["cost", "--model", "llama-3.1-8b", "--workload", "llm"],
]


@pytest.mark.parametrize("arguments", COMMANDS, ids=lambda a: " ".join(a))
def test_piped_commands_at_80_columns_cut_nothing(arguments: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gpuatlas.cli.main", *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
