"""Terminal renderer (rich): readable in 100 columns."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text as RichText

from gpuatlas.report.cells import cell_text
from gpuatlas.report.document import Comparison, Section, Table
from gpuatlas.report.phrasing import format_number, render_statement
from gpuatlas.report.phrasing import with_question as _with_question

VERDICT_STYLES = {
    "a_faster": "bold green",
    "b_faster": "bold cyan",
    "roughly_equal": "yellow",
    "inconclusive": "dim",
}


def _table(table: Table, a_label: str, b_label: str) -> RichTable:
    rich_table = RichTable(
        title=table.title,
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        title_style="bold",
        expand=False,
        pad_edge=False,
    )
    for column in table.columns:
        name = a_label if column == "A" else b_label if column == "B" else column
        rich_table.add_column(name, overflow="fold")
    for row in table.rows:
        rich_table.add_row(*(cell_text(cell) for cell in row))
    for note in table.notes[:1]:
        rich_table.caption = note
    return rich_table


def _section(section: Section, comparison: Comparison) -> RenderableType:
    parts: list[RenderableType] = []
    if section.omitted:
        parts.append(RichText(f"Omitted: {section.omitted}", style="dim italic"))
    for statement in section.statements:
        style = VERDICT_STYLES.get(statement.verdict or "", "")
        prefix = f"{statement.question} " if statement.question else ""
        parts.append(RichText(f"• {prefix}{render_statement(statement)}", style=style))
    for table in section.tables:
        parts.append(_table(table, comparison.a.label, comparison.b.label))
    parts += [RichText(note, style="dim") for note in section.notes]
    return Panel(Group(*parts), title=f"[bold]{section.title}", title_align="left", box=box.ROUNDED)


def _scores(comparison: Comparison) -> RenderableType:
    lines = []
    for label, entry in (
        (comparison.a.label, comparison.scores.a),
        (comparison.b.label, comparison.scores.b),
    ):
        if entry is None:
            lines.append(RichText(f"{label}: no score", style="dim"))
            continue
        interval = (
            f" [{format_number(entry.low)}–{format_number(entry.high)}]"
            if entry.low is not None and entry.high is not None
            else ""
        )
        lines.append(
            RichText.assemble(
                (f"{label}: ", "bold"),
                (format_number(entry.value), "bold magenta"),
                f"{interval} · {entry.coverage}",
            )
        )
    notes = [RichText(n, style="dim") for n in comparison.scores.notes]
    return Panel(Group(*lines, *notes), title="[bold]Atlas Score", title_align="left")


def render_renderables(comparison: Comparison) -> list[RenderableType]:
    header = RichText.assemble(
        (f"{comparison.a.label}  vs  {comparison.b.label}", "bold"),
        (f"   GPU Atlas · {comparison.generated_at}", "dim"),
    )
    summary = Group(*(RichText(f"• {_with_question(s)}") for s in comparison.summary))
    return [
        header,
        Panel(summary, title="[bold]Summary", title_align="left"),
        _scores(comparison),
        *(_section(s, comparison) for s in comparison.sections),
    ]


def render_text(comparison: Comparison, width: int = 100, color: bool = False) -> str:
    console = Console(
        width=width,
        record=True,
        force_terminal=color,
        color_system=None if not color else "auto",
        file=io.StringIO(),
    )
    for renderable in render_renderables(comparison):
        console.print(renderable)
    return console.export_text(styles=color)
