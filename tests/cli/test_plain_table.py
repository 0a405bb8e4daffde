"""The hand-laid `gpus` table prints exactly what the Rich table it replaces printed through
the CLI's console: the same bytes at every width, piped or in a colour terminal, stacked when
narrow."""

from __future__ import annotations

import io

import pytest
from rich.table import Table
from rich.text import Text

from gpuatlas.catalog.gpu_filters import select_gpus
from gpuatlas.cli.catalog_commands import gpu_list_table
from gpuatlas.cli.plain_table import PlainColumn, PlainTable
from gpuatlas.cli.terminal import FittingConsole


def printed(renderable: object, width: int, colour: bool) -> str:
    """What the CLI's console writes (a colour terminal's escape codes included)."""
    output = io.StringIO()
    palette = "truecolor" if colour else None
    FittingConsole(
        width=width, file=output, force_terminal=colour, color_system=palette, legacy_windows=False
    ).print(renderable)
    return output.getvalue()


def rich_gpu_table(table: PlainTable) -> Table:
    """The Rich table `gpuatlas gpus` printed before (id never wraps, name wraps with ratio 1,
    numbers right-aligned), from the same cells."""
    rich = Table(
        title=table.title,
        title_justify="left",
        header_style="bold",
        box=None,
        padding=(0, 1, 0, 0),
        pad_edge=False,
    )
    rich.add_column("id", no_wrap=True, min_width=table.columns[0].min_width)
    rich.add_column("name", ratio=1)
    for column in table.columns[2:]:
        rich.add_column(column.header, justify="right", no_wrap=True)
    for row in table.rows:
        rich.add_row(*(Text(cell) for cell in row))
    return rich


WIDTHS = [24, 40, 52, 60, 66, 72, 80, 81, 90, 100, 120, 200]


@pytest.mark.parametrize("vendor", [None, "AMD", "Apple"])
@pytest.mark.parametrize("colour", [False, True])
def test_the_gpus_table_prints_what_rich_printed(vendor: str | None, colour: bool) -> None:
    table = gpu_list_table(select_gpus(vendor, None, None, None))
    for width in WIDTHS:
        assert printed(table, width, colour) == printed(rich_gpu_table(table), width, colour)


def test_at_80_columns_long_names_wrap_and_ids_stay_whole() -> None:
    table = gpu_list_table(select_gpus(None, None, None, None))
    lines = printed(table, 80, False).splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in "".join(lines)
    ids = {row[0] for row in table.rows}
    assert ids <= {line.split()[0] for line in lines[2:] if not line.startswith(" ")}
    assert table.content_widths(80) is not None and len(lines) > len(table.rows) + 2


def test_a_table_too_narrow_for_its_words_is_stacked() -> None:
    table = PlainTable(
        "offers",
        (PlainColumn("system", no_wrap=True), PlainColumn("price", justify="right")),
        [("rtx-pro-6000-blackwell-server", "$1.23 per hour")],
    )
    assert table.content_widths(30) is None
    assert "price: $1.23 per hour" in printed(table, 30, False)


def test_wrapped_right_aligned_and_wide_cells_match_rich() -> None:
    table = PlainTable(
        "mixed",
        (
            PlainColumn("key", no_wrap=True, min_width=6),
            PlainColumn("text"),
            PlainColumn("note", justify="right"),
        ),
        [
            ("a", "a long sentence that has to wrap over several lines", "right side words"),
            ("bb", "short", "x"),
            ("ccc", "GPU 東京 wide characters", "—"),
        ],
    )
    for width in (20, 30, 45, 80):
        for colour in (False, True):
            assert printed(table, width, colour) == printed(table.rich_table(), width, colour)
