"""The CLI's console: honours `COLUMNS` (also when piped) and never cuts a table's cells.

A table whose narrowest layout is wider than the terminal is printed as stacked key/value
blocks (one block per row, the first column as its heading), so an id, price, date or number is
never cut with "…" at 80 columns.
"""

from __future__ import annotations

import os
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


def terminal_width() -> int | None:
    """`COLUMNS` when set; else None (Rich measures a terminal, or uses its piped default)."""
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def cell_text(cell: Any, style: str = "") -> Text:
    """A cell (markup string, Text or other renderable's str) as Text, optionally styled."""
    if isinstance(cell, Text):
        text = cell.copy()
    else:
        text = Text.from_markup(cell) if isinstance(cell, str) else Text(str(cell))
    if style:
        text.stylize(style)
    return text


def stacked(table: Table) -> RenderableType:
    """The table as one block per row: heading = first cell, then `header: value` lines."""
    headers = [str(column.header) for column in table.columns]
    cells = [list(column.cells) for column in table.columns]
    blocks: list[RenderableType] = []
    if table.title:
        blocks.append(cell_text(table.title, "bold"))
    for row_index in range(table.row_count):
        heading = cell_text(cells[0][row_index], "bold")
        lines = [heading]
        for header, column_cells in zip(headers[1:], cells[1:], strict=True):
            value = cell_text(column_cells[row_index])
            if value.plain.strip():
                lines.append(Text("  ") + Text(f"{header}: ", style="dim") + value)
        blocks.append(Text("\n").join(lines))
    return Group(*blocks)


def uncut_column_width(console: Console, table: Table, index: int) -> int:
    """The narrowest width at which no cell of the column is cut: its longest word when the
    column wraps, its longest cell when it does not (header included), plus padding."""
    column = table.columns[index]
    cells = [column.header, *column.cells]
    measures = [Measurement.get(console, console.options, cell_text(cell)) for cell in cells]
    widest = max(m.maximum if column.no_wrap else m.minimum for m in measures)
    return max(widest, column.min_width or 0) + table._get_padding_width(index)


def uncut_table_width(console: Console, table: Table) -> int:
    columns = range(len(table.columns))
    return sum(uncut_column_width(console, table, i) for i in columns) + table._extra_width


def fitted(console: Console, renderable: Any) -> Any:
    """A table that cannot fit the console's width without cutting cells becomes stacked."""
    if not isinstance(renderable, Table) or not renderable.columns:
        return renderable
    too_wide = uncut_table_width(console, renderable) > console.width
    return stacked(renderable) if too_wide else renderable


class FittingConsole(Console):
    """A Rich console whose tables never cut cells (see module docstring)."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(fitted(self, item) for item in objects), **options)


def make_console(stderr: bool = False) -> FittingConsole:
    return FittingConsole(stderr=stderr, width=terminal_width())
