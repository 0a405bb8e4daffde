"""A bullet or a key/value line that wraps hangs its further lines under its text (as print
sets a list), at 80 columns in the compare report and in a table printed stacked."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gpuatlas.report import Comparison, render_text
from gpuatlas.table_fit import Hanging, stacked

BORDER = re.compile(r"^│ ?|│$")


def _inner_lines(report: str) -> list[str]:
    """Each panel line's content, without the panel's border and its one-column inset."""
    return [BORDER.sub("", line.rstrip()) for line in report.splitlines() if line.startswith("│")]


def _printed(renderable: object, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(renderable)
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue().splitlines()


@pytest.mark.parametrize("width", [60, 80, 100])
def test_every_wrapped_summary_bullet_hangs_under_its_text(
    a100_vs_4090: Comparison, width: int
) -> None:
    lines = _inner_lines(render_text(a100_vs_4090, width=width))
    in_bullet = False
    wrapped = 0
    for line in lines:
        if line.startswith("• "):
            in_bullet = True
            continue
        if in_bullet and line.strip():
            if line.startswith("  ") and not line.startswith("   "):
                wrapped += 1
                continue
            in_bullet = False  # a note or a table after the bullets
    assert wrapped > 0  # at these widths some summary bullets wrap
    summary = lines[: next(i for i, line in enumerate(lines) if "Atlas Score" in line)]
    for line in summary:
        assert line.startswith(("• ", "  ")), line


def test_a_wrapped_key_value_line_of_a_stacked_table_hangs_under_its_value() -> None:
    table = Table(title="offers")
    table.add_column("system")
    table.add_column("cheapest on-demand")
    table.add_row(
        "rtx-4090",
        "$0.05 ($0.03–$0.07) at $0.35/GPU-h, TensorDock (on-demand, 2026-09-20), one GPU",
    )
    lines = _printed(stacked(table), 80)
    assert lines[2].startswith("  cheapest on-demand: $0.05")
    indent = len("  cheapest on-demand: ")
    assert lines[3].startswith(" " * indent) and lines[3][indent] != " "
    assert "one GPU" in lines[-1]


def test_a_lead_wider_than_a_third_of_the_line_hangs_at_four_columns() -> None:
    lead = "  a very long heading for a narrow terminal: "
    lines = _printed(Hanging(lead, Text("word " * 30)), 60)
    assert lines[0].startswith(lead)
    assert all(line.startswith("    word") for line in lines[1:])
    assert all(len(line) <= 60 for line in lines)
