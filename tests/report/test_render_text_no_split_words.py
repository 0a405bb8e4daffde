"""At 80 columns the text report keeps every word and number of its tables whole: a table that
does not fit wraps at spaces, or prints as key/value blocks, never splitting '[714–1,342]'."""

from __future__ import annotations

import re

import pytest

from gpuatlas.report.cells import cell_text
from gpuatlas.report.document import Comparison
from gpuatlas.report.render_text import render_text

BORDERS = re.compile(r"[│╭╮╰╯─━┃]")


def table_words(comparison: Comparison) -> set[str]:
    words = set()
    for section in comparison.sections:
        for table in section.tables:
            for row in table.rows:
                for cell in row:
                    words.update(cell_text(cell).split())
    return {word for word in words if 3 <= len(word) <= 60}


@pytest.mark.parametrize("width", [80, 100])
def test_every_table_word_is_printed_whole(a100_vs_4090: Comparison, width: int) -> None:
    text = render_text(a100_vs_4090, width=width)
    printed = set(BORDERS.sub(" ", text).split())
    missing = sorted(word for word in table_words(a100_vs_4090) if word not in printed)
    assert not missing, missing[:20]
