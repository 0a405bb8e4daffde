"""A system with a long name reads at 80 columns: `compare mi250x mi300x` printed its name's cells
one letter at a time ('n s t i n c t   M I 2 5 0 X', 85-105 such lines) while the MI250X's
system name was 'AMD Instinct MI250X (one OAM module: 2 GCDs of 64 GB, each a GPU to software)'."""

from __future__ import annotations

import os
import re
import subprocess
import sys

# six or more single characters separated by single spaces: a cell squeezed to one letter wide
LETTER_PER_COLUMN = re.compile(r"(?:\S ){6,}\S")


def test_compare_of_a_module_system_has_no_one_letter_columns() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gpuatlas.cli.main", "compare", "mi250x", "mi300x"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "GPUATLAS_NO_CACHE": "1"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    squeezed = [line for line in result.stdout.splitlines() if LETTER_PER_COLUMN.search(line)]
    assert not squeezed, squeezed[:3]
    assert "AMD Instinct MI250X (2 GCDs)" in result.stdout
