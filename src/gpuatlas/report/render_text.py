"""Terminal renderer (rich): readable in 100 columns."""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable, Iterator

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table as RichTable
from rich.text import Text as RichText

from gpuatlas.report.cells import cell_text
from gpuatlas.report.document import Comparison, Section, Table
from gpuatlas.report.phrasing import format_number, render_statement
from gpuatlas.report.phrasing import with_question as _with_question
from gpuatlas.table_fit import Hanging, fitted

VERDICT_STYLES = {
    "a_faster": "bold green",
    "b_faster": "bold cyan",
    "roughly_equal": "yellow",
    "inconclusive": "dim",
}


def _unstyled_runs_joined(segments: Iterable[Segment]) -> Iterator[Segment]:
    """The same segments, with each run of adjacent unstyled ones as one segment: the same
    characters and styles, but the enclosing panel measures a few segments per line instead of
    one per table cell, border and padding."""
    pending: list[str] = []
    for segment in segments:
        if not segment.style and not segment.control:
            pending.append(segment.text)
            continue
        if pending:
            yield Segment("".join(pending))
            pending = []
        yield segment
    if pending:
        yield Segment("".join(pending))


class _FittedTable:
    """A table laid out for the width it is given, so that no cell is cut or split mid-word:
    wrapped at spaces only, or stacked as key/value blocks when even that cannot fit
    (`gpuatlas.table_fit`)."""

    def __init__(self, table: RichTable) -> None:
        self.table = table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield fitted(console, copy.deepcopy(self.table), options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table)


class _Inset:
    """Its content one column in from each side, as a panel's default padding (0, 1) draws it,
    with each line's unstyled segments joined (see `_unstyled_runs_joined`)."""

    def __init__(self, content: RenderableType) -> None:
        self.content = content

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines = console.render_lines(self.content, options.update_width(width - 2), pad=True)
        for line in lines:
            yield from _unstyled_runs_joined([Segment(" "), *line, Segment(" ")])
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        inner = Measurement.get(console, options.update_width(options.max_width - 2), self.content)
        return Measurement(inner.minimum + 2, inner.maximum + 2)


def _panel(content: RenderableType, title: str) -> Panel:
    """A rounded panel with a bold title, drawn as `Panel(content, title=…)` draws it."""
    return Panel(_Inset(content), title=f"[bold]{title}", title_align="left", padding=0)


def _table(table: Table, a_label: str, b_label: str) -> RichTable:
    rich_table = RichTable(
        title=table.title,
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        title_style="bold",
        caption_justify="left",  # a note of several lines reads as a paragraph, not centred
        expand=False,
        pad_edge=False,
    )
    for column in table.columns:
        name = a_label if column == "A" else b_label if column == "B" else column
        rich_table.add_column(name, overflow="fold")
    for row in table.rows:  # cells are data, not markup: Text skips Rich's markup parser
        rich_table.add_row(*(RichText(cell_text(cell)) for cell in row))
    if table.notes:  # every note, one paragraph each (a second note was dropped)
        rich_table.caption = "\n".join(table.notes)
    return rich_table


def _section(section: Section, comparison: Comparison) -> RenderableType:
    parts: list[RenderableType] = []
    if section.omitted:
        parts.append(RichText(f"Omitted: {section.omitted}", style="dim italic"))
    for statement in section.statements:
        style = VERDICT_STYLES.get(statement.verdict or "", "")
        prefix = f"{statement.question} " if statement.question else ""
        body = RichText(f"{prefix}{render_statement(statement)}", style=style)
        parts.append(Hanging(RichText("• ", style=style), body))
    for table in section.tables:
        if not table.rows:  # its title and why it is empty, not a header over no rows
            parts.append(RichText(table.title, style="bold"))
            parts += [RichText(note, style="dim") for note in table.notes]
            continue
        parts.append(_FittedTable(_table(table, comparison.a.label, comparison.b.label)))
    parts += [RichText(note, style="dim") for note in section.notes]
    return _panel(Group(*parts), section.title)


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
                f"{interval} · scored on {entry.basis}",
            )
        )
    notes = [RichText(n, style="dim") for n in comparison.scores.notes]
    return _panel(Group(*lines, *notes), "Atlas Score")


def render_renderables(comparison: Comparison) -> list[RenderableType]:
    header = RichText.assemble(
        (f"{comparison.a.label}  vs  {comparison.b.label}", "bold"),
        (f"   GPU Atlas · {comparison.generated_at}", "dim"),
    )
    summary = Group(*(Hanging("• ", _with_question(s)) for s in comparison.summary))
    return [
        header,
        _panel(summary, "Summary"),
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
