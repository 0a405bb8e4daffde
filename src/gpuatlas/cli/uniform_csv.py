"""`predict --cases` on the common CSV, read column by column: no field quoted, every line with
the header's number of fields. Such text is split at every comma in one pass and each column
taken as a slice, without a list per row (100,000 rows: the row lists were a quarter of the
command's time); the answer is the same text the general path (`predict_batch._run_cases`,
csv rules, ragged rows) writes, which handles every other file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from gpuatlas.app.predict_cases import GPU_COLUMN, GPU_NOTE_COLUMN, row_gpu_notes
from gpuatlas.calibration.case_columns import Result, predict_columns
from gpuatlas.calibration.case_files import RESULT_COLUMNS
from gpuatlas.calibration.case_notes import CaseNotes, case_notes
from gpuatlas.cli.cases_header import header_names, header_problems, unknown_columns

BLANK_MARKS = ", \t"  # a line of only these is blank (a spreadsheet's empty row: ',,,,')


class UniformAnswer(NamedTuple):
    """The CSV answer, the rows without a prediction, the rows, the file's notes and the
    columns it has that are not read."""

    text: str
    failed: int
    rows: int
    notes: CaseNotes
    unknown: list[dict[str, str]]


def uniform_lines(source: str) -> list[str] | None:
    """The non-blank lines (line ends dropped) when no field is quoted, no line breaks with a
    lone carriage return and every line has the first line's number of fields; else None."""
    found = numbered_uniform_lines(source)
    return None if found is None else found[0]


def numbered_uniform_lines(source: str) -> tuple[list[str], list[int]] | None:
    """`uniform_lines` and the line number of each (from 1, as an editor counts them)."""
    if '"' in source or source.count("\r") != source.count("\r\n"):
        return None
    raw = source.replace("\r\n", "\n").split("\n")
    lines = [line for line in raw if line.strip(BLANK_MARKS)]
    if not lines or len({line.count(",") for line in lines}) != 1:
        return None
    if len(lines) == len(raw) - (raw[-1] == ""):  # nothing blank but after the last line end
        return lines, list(range(1, len(lines) + 1))
    numbers = [number for number, line in enumerate(raw, 1) if line.strip(BLANK_MARKS)]
    return lines, numbers


def uniform_columns(lines: Sequence[str], width: int) -> list[list[str]]:
    """The fields of these lines (each with `width` fields) as one list per column."""
    if not lines:
        return [[] for _ in range(width)]
    fields = ",".join(lines).split(",")
    return [fields[index::width] for index in range(width)]


def csv_field(text: str) -> str:
    """A field as csv.writer writes it (quoted when it holds a comma, quote or line break)."""
    if any(mark in text for mark in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def numbered_error(field: str, number: int) -> str:
    """An error field (as csv_field wrote it) with the input line it answers: 'line 7: …'."""
    if not field:
        return field
    if field.startswith('"'):
        return f'"line {number}: {field[1:]}'
    return f"line {number}: {field}"


def answered_text(
    header: Sequence[str],
    lines: Sequence[str],
    results: Sequence[Result],
    gpu_notes: Sequence[str] | None = None,
    numbers: Sequence[int] | None = None,
) -> str:
    """The header with the result columns, then each line as written followed by its
    value, low, high and error (errors repeat: each distinct one is quoted once; with
    `numbers`, each error begins with its input line's number), and its GPU note when
    `gpu_notes` is given (the `gpu_note` column)."""
    quoted: dict[str, str] = {}
    note_column = [] if gpu_notes is None else [GPU_NOTE_COLUMN]
    out = [",".join([*header, *RESULT_COLUMNS, *note_column])]
    for index, (line, (value, low, high, error)) in enumerate(zip(lines, results, strict=True)):
        field = quoted.get(error)
        if field is None:
            field = quoted[error] = csv_field(error)
        if error and numbers is not None:
            field = numbered_error(field, numbers[index])
        if gpu_notes is None:
            out.append(f"{line},{value},{low},{high},{field}")
            continue
        note = quoted.get(gpu_notes[index])
        if note is None:
            note = quoted[gpu_notes[index]] = csv_field(gpu_notes[index])
        out.append(f"{line},{value},{low},{high},{field},{note}")
    return "\n".join(out) + "\n"


def failed_rows(results: Sequence[Result]) -> int:
    """How many rows have no prediction (an error in their error column)."""
    return sum(1 for result in results if result[3])


def answer_uniform_csv(source: str) -> tuple[str, int, int] | None:
    """The CSV answer of `predict --cases` for uniform text (see the module docstring), with
    the rows that failed and the rows; None when the general path must answer (quoting,
    ragged lines, a header problem, or a result column named in the input)."""
    found = answer_uniform_cases(source)
    return None if found is None else (found.text, found.failed, found.rows)


def answer_uniform_cases(source: str) -> UniformAnswer | None:
    """`answer_uniform_csv` with the file's notes and the columns it has that are not read."""
    found = numbered_uniform_lines(source)
    if found is None:
        return None
    lines, numbers = found
    written = [name.strip() for name in lines[0].split(",")]
    header = header_names(written)
    if header_problems(NO_PATH, header, lines[0]) or set(RESULT_COLUMNS) & set(header):
        return None
    rows = lines[1:]
    columns = uniform_columns(rows, len(header))
    results = predict_columns(header, columns, len(rows))
    gpu_notes = row_gpu_notes(header, columns[header.index(GPU_COLUMN)])
    text = answered_text(written, rows, results, gpu_notes, numbers[1:])
    notes = case_notes(dict(zip(header, columns, strict=True)), len(rows))
    return UniformAnswer(text, failed_rows(results), len(rows), notes, unknown_columns(header))


NO_PATH = Path("")  # problems are only looked for here; the general path names the file
