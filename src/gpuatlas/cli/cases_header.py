"""`predict --cases FILE`: the file's header and lines as a user writes them in a spreadsheet.

- names in any case ('GPU', 'Model'); a name written twice is refused with both positions;
- a file separated by ';' (a spreadsheet's CSV in a locale with decimal commas) is named as such
  rather than answered with every column missing;
- a column the batch reader does not read is named, with its close match (`unknown_columns`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from gpuatlas.calibration.case_files import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    RESULT_COLUMNS,
    missing_columns,
)

GPU_NOTE_COLUMN = "gpu_note"  # app/predict_cases.GPU_NOTE_COLUMN: an answer's, read back
READ_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
KNOWN_COLUMNS = frozenset({*READ_COLUMNS, *RESULT_COLUMNS, GPU_NOTE_COLUMN})
# columns people write for what another column says
COLUMN_HINTS = {
    "method": "the training method goes in 'variant' (lora, qlora; none: full fine-tune)",
    "sharding": "the sharding goes in 'variant' (ddp, fsdp, zero1, zero2, zero3)",
    "precision": "the training precision goes in 'weights' (bf16, fp16, fp32)",
    "sequence": "the training sequence length goes in 'input_tokens'",
    "concurrency": "the serving concurrency goes in 'batch' (a number or 'max')",
    "micro_batch": "the training micro-batch goes in 'batch'",
}


def header_names(fields: Sequence[str]) -> list[str]:
    """The header's names as the reader matches them: stripped, lower case."""
    return [name.strip().lower() for name in fields]


def header_problems(path: Path, header: Sequence[str], first_line: str) -> list[str]:
    """Every problem of the header (after `header_names`), all at once: a ';'-separated file,
    a name written twice, a required column missing."""
    if missing_columns(header) and _semicolon_separated(first_line):
        return [
            f"{path}: the file looks ';'-separated (its header is {first_line.strip()!r}); "
            "save it with commas between fields (a spreadsheet's 'CSV (comma delimited)')"
        ]
    problems = [f"{path}: {problem}" for problem in repeated_names(header)]
    problems += [f"{path}: missing column {name!r}" for name in missing_columns(header)]
    return problems


def _semicolon_separated(first_line: str) -> bool:
    return not missing_columns(header_names(first_line.split(";"))) or (
        first_line.count(";") > first_line.count(",")
    )


def repeated_names(header: Sequence[str]) -> list[str]:
    """'column 'gpu' appears twice (columns 1 and 10): keep one' for each repeated name."""
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        if name:
            positions.setdefault(name, []).append(position)
    return [
        f"column {name!r} is written {len(where)} times (columns "
        f"{', '.join(map(str, where[:-1]))} and {where[-1]}): keep one"
        for name, where in positions.items()
        if len(where) > 1
    ]


def unknown_columns(header: Sequence[str]) -> list[dict[str, str]]:
    """The columns the batch reader does not read, each with what to write instead."""
    found = []
    for name in header:
        if not name or name in KNOWN_COLUMNS:
            continue
        hint = COLUMN_HINTS.get(name)
        if hint is None:
            close = difflib.get_close_matches(name, READ_COLUMNS, n=2, cutoff=0.6)
            hint = f"close match: {', '.join(close)}" if close else "not a column the cases read"
        found.append({"column": name, "hint": hint})
    return found


def unknown_column_notes(columns: Sequence[dict[str, str]]) -> list[str]:
    """One stderr note per column not read."""
    return [f"column {entry['column']!r} is not read ({entry['hint']})" for entry in columns]
