"""A table of plain-text cells laid out by hand: the lines Rich draws for such a table (no box,
one space between columns, a bold header, an italic title), with the column widths the CLI's
console gives a table too wide for the terminal (`gpuatlas.table_fit`), without Rich's
per-cell rendering, most of `gpuatlas gpus`'s time (156 rows × 7 columns).

Only a cell that must wrap goes through Rich (`Text.wrap`, at spaces, as Rich wraps it). A
table whose longest words cannot fit is handed to `table_fit.fitted` as a Rich table, which
prints it as stacked key/value blocks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from gpuatlas.table_fit import fitted, shared_out

Justify = Literal["left", "right"]
COLUMN_GAP = 1  # padding (0, 1, 0, 0) without pad_edge: one space after every column but the last


@dataclass(frozen=True)
class PlainColumn:
    header: str
    justify: Justify = "left"
    no_wrap: bool = False
    min_width: int = 0


@dataclass(frozen=True)
class PlainTable:
    """Rows of plain strings under a title; `rich_table()` is the same table for Rich."""

    title: str
    columns: Sequence[PlainColumn]
    rows: Sequence[Sequence[str]]
    header_style: str = "bold"
    _lengths: list[list[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lengths = [[cell_len(cell) for cell in column] for column in self._column_cells()]
        object.__setattr__(self, "_lengths", lengths)

    def _column_cells(self) -> list[list[str]]:
        return [
            [column.header, *(row[index] for row in self.rows)]
            for index, column in enumerate(self.columns)
        ]

    def rich_table(self) -> Table:
        """The same table as a Rich Table (cells as Text: they are data, not markup)."""
        table = Table(
            title=self.title,
            title_justify="left",
            header_style=self.header_style,
            box=None,
            padding=(0, 1, 0, 0),
            pad_edge=False,
        )
        for column in self.columns:
            table.add_column(
                column.header,
                justify=column.justify,
                no_wrap=column.no_wrap,
                min_width=column.min_width or None,
            )
        for row in self.rows:
            table.add_row(*(Text(cell) for cell in row))
        return table

    def content_widths(self, width: int) -> list[int] | None:
        """Each column's content width at this console width (as Rich and `fitted` lay it
        out); None when even the narrowest layout does not fit (the table is stacked)."""
        narrowest, widest = [], []
        for column, cells, lengths in zip(
            self.columns, self._column_cells(), self._lengths, strict=True
        ):
            longest = max(lengths)
            shortest = longest if column.no_wrap else max(map(_longest_word, cells))
            shortest = max(shortest, column.min_width)
            narrowest.append(shortest)
            widest.append(max(longest, shortest))
        available = width - COLUMN_GAP * (len(self.columns) - 1)
        if sum(widest) <= available:
            return widest
        if sum(narrowest) > available:
            return None
        return shared_out(narrowest, widest, available)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self.content_widths(options.max_width)
        table_width = 0 if widths is None else sum(widths) + COLUMN_GAP * (len(widths) - 1)
        if widths is None or cell_len(self.title) > table_width:
            yield fitted(console, self.rich_table(), options.max_width)
            return
        title = self.title + " " * (table_width - cell_len(self.title))
        yield Segment(title, console.get_style("table.title"))
        yield Segment.line()
        header = [column.header for column in self.columns]
        yield from self._row_lines(console, header, widths, Style.parse(self.header_style))
        for row in self.rows:
            yield from self._row_lines(console, row, widths, None)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.rich_table())

    def _row_lines(
        self, console: Console, row: Sequence[str], widths: list[int], style: Style | None
    ) -> Iterator[Segment]:
        """One table row: its cells' lines side by side, each cut to its column's width."""
        cells = [
            _cell_lines(console, text, width, column.justify)
            for text, width, column in zip(row, widths, self.columns, strict=True)
        ]
        gap = Segment(" " * COLUMN_GAP, style or Style())
        for line in range(max(map(len, cells))):
            last = len(cells) - 1
            for index, (lines, width) in enumerate(zip(cells, widths, strict=True)):
                yield Segment(lines[line] if line < len(lines) else " " * width, style)
                if index < last:
                    yield gap
            yield Segment.line()


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _cell_lines(console: Console, text: str, width: int, justify: Justify) -> list[str]:
    """A cell's lines, each exactly `width` wide: padded when it fits, else wrapped by Rich."""
    length = cell_len(text)
    if length <= width:
        padding = " " * (width - length)
        return [padding + text if justify == "right" else text + padding]
    wrapped = Text(text).wrap(console, width, justify=justify, overflow="ellipsis")
    return [line.plain + " " * (width - cell_len(line.plain)) for line in wrapped]
