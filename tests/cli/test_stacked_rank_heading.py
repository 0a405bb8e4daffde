"""A ranked table printed stacked at 80 columns (plan's options) heads each block with its rank
and its name ('1. rtx-a4000 awq-int4'), not with a bare '1' and the name one line below."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from gpuatlas.table_fit import stacked


def _lines(table: Table) -> list[str]:
    console = Console(width=80, file=io.StringIO(), color_system=None)
    console.print(stacked(table))
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue().splitlines()


def test_a_rank_column_and_a_name_make_one_heading() -> None:
    table = Table(title="options")
    for header in ("#", "setup", "offer"):
        table.add_column(header)
    table.add_row("1", "rtx-a4000 awq-int4", "Hyperstack (on-demand, 2026-08-26)")
    table.add_row("2", "rtx-a4000 fp8", "Hyperstack (on-demand, 2026-08-26)")
    lines = _lines(table)
    assert lines[1] == "1. rtx-a4000 awq-int4"
    assert lines[2] == "  offer: Hyperstack (on-demand, 2026-08-26)"
    assert lines[3] == "2. rtx-a4000 fp8"
    assert not any(line.strip().startswith("setup:") for line in lines)


def test_a_table_without_a_rank_column_keeps_its_first_cell_as_heading() -> None:
    table = Table(title="offers")
    for header in ("system", "offer"):
        table.add_column(header)
    table.add_row("rtx-4090", "RunPod (community, 2026-09-25)")
    assert _lines(table)[1:] == ["rtx-4090", "  offer: RunPod (community, 2026-09-25)"]
