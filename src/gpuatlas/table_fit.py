"""Tables that never cut a cell: a table wider than its space gets column widths that wrap
text at spaces only, or, when even its longest words cannot fit, prints as stacked key/value
blocks (one block per row, the first column as its heading). Used by the CLI's console and the
report's text renderer, so an id, price, date or number is never cut or split at 80 columns.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

WIDEST_HANG_SHARE = 3  # a lead wider than a third of the line hangs its wraps at HANG_FALLBACK
HANG_FALLBACK = 4


class Hanging:
    """A lead ('• ', '  offer: ') then text that wraps at spaces with every further line
    indented under the text's first character (a hanging indent), as a bullet or a key/value
    line reads in print; a lead too wide for that hangs its wraps at four columns."""

    def __init__(self, lead: Text | str, body: Text | str) -> None:
        self.lead = lead if isinstance(lead, Text) else Text(lead)
        self.body = body if isinstance(body, Text) else Text(body)

    def hang_width(self, width: int) -> int:
        lead = cell_len(self.lead.plain)
        return lead if lead * WIDEST_HANG_SHARE <= width else min(HANG_FALLBACK, lead)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        hang = self.hang_width(width)
        lead = cell_len(self.lead.plain)
        first, *rest = self.body.wrap(console, max(width - lead, 1), overflow="fold") or [Text()]
        if rest and hang < lead:  # the wraps have more room than the first line
            joined = Text(" ").join(rest)
            rest = list(joined.wrap(console, max(width - hang, 1), overflow="fold"))
        first.rstrip()
        yield from (self.lead + first).render(console)
        for line in rest:
            line.rstrip()
            yield Segment.line()
            yield Segment(" " * hang)
            yield from line.render(console)
        yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lead = cell_len(self.lead.plain)
        body = Measurement.get(console, options, self.body)
        return Measurement(lead + body.minimum, lead + body.maximum).clamp(
            max_width=options.max_width
        )


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
    first = 2 if _numbered(headers) else 1  # '#' then a name: the block is '1. name'
    for row_index in range(table.row_count):
        heading = cell_text(cells[0][row_index], "bold")
        if first == 2:
            heading = heading + Text(". ", style="bold") + cell_text(cells[1][row_index], "bold")
        lines: list[RenderableType] = [heading]
        for header, column_cells in zip(headers[first:], cells[first:], strict=True):
            value = cell_text(column_cells[row_index])
            if value.plain.strip():
                lines.append(Hanging(Text("  ") + Text(f"{header}: ", style="dim"), value))
        blocks.append(Group(*lines))
    if table.caption:
        blocks.append(cell_text(table.caption, "dim"))
    return Group(*blocks)


def _numbered(headers: list[str]) -> bool:
    """A table whose first column is a rank ('#') and which has a second to name the row."""
    return len(headers) > 2 and headers[0].strip() == "#"


def column_widths(console: Console, table: Table, index: int) -> tuple[int, int]:
    """(narrowest width at which no cell is cut, widest natural width) of a column's content:
    the narrowest is its longest word when the column wraps, its longest cell when not."""
    column = table.columns[index]
    cells = [column.header, *column.cells]
    options = console.options  # one lookup: each reads the terminal's size and environment
    measures = [Measurement.get(console, options, cell_text(cell)) for cell in cells]
    narrowest = max(m.maximum if column.no_wrap else m.minimum for m in measures)
    widest = max(m.maximum for m in measures)
    narrowest = max(narrowest, column.min_width or 0)
    return narrowest, max(widest, narrowest)


def table_chrome_width(table: Table) -> int:
    """Borders and padding: the width a table takes beyond its cells' content."""
    padding = sum(table._get_padding_width(i) for i in range(len(table.columns)))
    return int(table._extra_width) + padding


def shared_out(narrowest: list[int], widest: list[int], available: int) -> list[int]:
    """Each column its narrowest width, then the spare space by water-filling: a column whose
    whole text fits in an equal share of what is left gets all of it (short labels stay on
    one line), the long columns share the rest and wrap. No cell is ever cut."""
    widths = list(narrowest)
    spare = available - sum(narrowest)
    pending = sorted(range(len(widths)), key=lambda i: widest[i] - narrowest[i])
    while pending and spare > 0:
        share = spare // len(pending)
        first = pending[0]
        wish = widest[first] - widths[first]
        if wish <= share:
            widths[first] += wish
            spare -= wish
            pending.pop(0)
            continue
        for index, column in enumerate(pending):
            extra = share + (1 if index < spare - share * len(pending) else 0)
            widths[column] += extra
        break
    return widths


def fitted(console: Console, renderable: Any, width: int | None = None) -> Any:
    """A table too wide for the console (or for `width` columns) is laid out so that no cell
    is cut: columns get fixed widths that wrap text at spaces, or, when even that cannot fit,
    it is printed stacked."""
    if not isinstance(renderable, Table) or not renderable.columns:
        return renderable
    widths = [column_widths(console, renderable, i) for i in range(len(renderable.columns))]
    narrowest, widest = [w[0] for w in widths], [w[1] for w in widths]
    available = (width or console.width) - table_chrome_width(renderable)
    if sum(widest) <= available:
        return renderable
    if sum(narrowest) > available:
        return stacked(renderable)
    for column, width in zip(
        renderable.columns, shared_out(narrowest, widest, available), strict=True
    ):
        column.width = width
    return renderable
