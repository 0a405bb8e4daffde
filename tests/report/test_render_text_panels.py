"""The text renderer: cells are data (never markup) and its panels draw as Rich's `Panel`."""

from __future__ import annotations

import dataclasses
import io

import pytest
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text as RichText

from gpuatlas.report import Comparison
from gpuatlas.report.document import Table, Text
from gpuatlas.report.render_text import _panel, render_text


def _printed(renderable: object, width: int, color: bool) -> str:
    console = Console(
        width=width,
        file=io.StringIO(),
        force_terminal=color,
        color_system="truecolor" if color else None,
    )
    console.print(renderable)
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()


def _content() -> Group:
    table = RichTable(title="Speed", title_style="bold")
    table.add_column("Workload", overflow="fold")
    table.add_column("A", style="green")
    table.add_row(RichText("FLUX.1 [schnell], 1024x1024, 4 steps"), "modelled: 2.13 s/image")
    table.add_row(RichText("a very long name " * 6), RichText("12", style="bold magenta"))
    return Group(
        RichText("• A is faster", style="bold green"), table, RichText("a note", style="dim")
    )


@pytest.mark.parametrize("width", [30, 80, 100, 200])
@pytest.mark.parametrize("color", [False, True])
def test_panel_draws_exactly_as_rich_panel(width: int, color: bool) -> None:
    expected = Panel(_content(), title="[bold]Speed and fit", title_align="left")
    assert _printed(_panel(_content(), "Speed and fit"), width, color) == _printed(
        expected, width, color
    )


def test_table_cells_keep_square_brackets(a100_vs_4090: Comparison) -> None:
    """A cell such as 'FLUX.1 [schnell]' is a model's name, not a Rich markup tag."""
    names = ("FLUX.1 [schnell]", "[bold]literal[/bold]", "[dev]")
    table = Table(
        id="names",
        title="Names",
        columns=("Model", "A"),
        rows=tuple((Text(name), Text("yes")) for name in names),
    )
    section = dataclasses.replace(a100_vs_4090.sections[0], tables=(table,), omitted=None)
    report = render_text(dataclasses.replace(a100_vs_4090, sections=(section,)), width=120)
    for name in names:
        assert name in report


def test_every_table_note_is_printed_from_the_left(a100_vs_4090: Comparison) -> None:
    """A table's second note (the serving curve's 'The 1-stream row is not the single-user
    decode …') was dropped in the terminal, and a note of several lines was centred line by
    line; every note now prints, each line starting at the table's left edge."""
    notes = ("First note. " * 12, "Second note, which the terminal used to drop.")
    table = Table(
        id="notes",
        title="Notes",
        columns=("Model", "A"),
        rows=((Text("llama-3.1-8b"), Text("yes")),),
        notes=notes,
    )
    section = dataclasses.replace(a100_vs_4090.sections[0], tables=(table,), omitted=None)
    report = render_text(dataclasses.replace(a100_vs_4090, sections=(section,)), width=80)
    lines = report.splitlines()
    first = next(i for i, line in enumerate(lines) if "First note." in line)
    second = next(i for i, line in enumerate(lines) if "Second note" in line)
    indents = {len(line) - len(line.lstrip(" │")) for line in lines[first : second + 1]}
    assert indents == {min(indents)}  # one left edge: not centred
