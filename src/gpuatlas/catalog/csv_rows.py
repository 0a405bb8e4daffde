"""Reading a CSV data file row by row, with every problem named by line and field.

Shared by the price files (cloud and purchase): read the file, check its header, validate each
row with a pydantic model, build the domain value, and collect every problem as
"line N, field F: message (got 'value')" so that a bad file is rejected whole, listing them all.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from gpuatlas.errors import DataFileError, UnknownNameError

RowModel = TypeVar("RowModel", bound=BaseModel)
Built = TypeVar("Built")
NumberedRow = tuple[int, dict[str, str]]
FieldProblem = tuple[str, str]  # (field, message)


@dataclass(frozen=True)
class CsvSchema:
    """A file's columns: those it must have and the full list (named in the error)."""

    required_columns: Sequence[str]
    all_columns: Sequence[str]


@dataclass(frozen=True)
class RowParser(Generic[RowModel, Built]):
    """How a row becomes a value: its pydantic model, a builder (which may raise
    UnknownNameError for `name_field`) and cross-field checks."""

    row_model: type[RowModel]
    build: Callable[[RowModel], Built]
    checks: Callable[[RowModel], list[FieldProblem]] = lambda row: no_problems()
    name_field: str = "gpu"


def no_problems() -> list[FieldProblem]:
    return []


def read_numbered_rows(path: Path, schema: CsvSchema) -> list[NumberedRow]:
    """The file's data rows with their line numbers (the header is line 1).

    Raises DataFileError when the file cannot be read or misses a required column.
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header_problems = _header_problems(reader.fieldnames or [], schema)
            if header_problems:
                raise DataFileError(str(path), header_problems)
            return list(enumerate(reader, start=2))
    except OSError as error:
        raise DataFileError(str(path), [f"cannot read: {error.strerror}"]) from None


def _header_problems(header: Sequence[str], schema: CsvSchema) -> list[str]:
    missing = [column for column in schema.required_columns if column not in header]
    if not missing:
        return []
    expected = ", ".join(schema.all_columns)
    return [f"line 1: missing column(s) {', '.join(missing)}; expected {expected}"]


def parse_rows(
    rows: Iterable[NumberedRow], parser: RowParser[RowModel, Built]
) -> tuple[list[tuple[int, Built]], list[str]]:
    """Every row that validates and builds (with its line), and every problem, in line order."""
    built_rows: list[tuple[int, Built]] = []
    problems: list[str] = []
    for line, raw in rows:
        built, row_problems = _parse_row(line, raw, parser)
        problems += row_problems
        if not row_problems:
            built_rows += [(line, value) for value in built]
    return built_rows, problems


def _parse_row(
    line: int, raw: dict[str, str], parser: RowParser[RowModel, Built]
) -> tuple[list[Built], list[str]]:
    """The built value (none when the row is bad) and the row's problems."""
    try:
        row = parser.row_model.model_validate(raw)
    except ValidationError as error:
        return [], [_validation_problem(line, issue, raw) for issue in error.errors()]
    problems = [field_problem(line, field, message) for field, message in parser.checks(row)]
    try:
        return [parser.build(row)], problems
    except UnknownNameError as error:
        return [], [*problems, field_problem(line, parser.name_field, str(error))]


def field_problem(line: int, field: str, message: str) -> str:
    return f"line {line}, field {field}: {message}"


def _validation_problem(line: int, issue: object, raw: dict[str, str]) -> str:
    assert isinstance(issue, dict)
    field = ".".join(str(part) for part in issue["loc"])
    message = str(issue["msg"]).removeprefix("Value error, ")
    return f"{field_problem(line, field, message)} (got {raw.get(field, '')!r})"
