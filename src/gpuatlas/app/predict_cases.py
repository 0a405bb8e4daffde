"""`predict --cases FILE --json`: one prediction per row of a CSV of cases (CLI only: the web
never reads files)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpuatlas.app.documents import versioned
from gpuatlas.app.name_notes import name_assumptions

GPU_COLUMN = "gpu"


def predict_cases_document(
    cases: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    results: Sequence[tuple[str, ...]],
) -> dict[str, Any]:
    """gpuatlas.predict-cases/1: the file read (`request.cases`), then `rows`: each row's
    columns as given, then value/low/high as numbers (null on error) and error; and
    `name_assumptions` when a row's GPU is a bare family name read as its default variant."""
    body: dict[str, Any] = {
        "request": {"cases": cases},
        "rows": [_case_row(header, row, result) for row, result in zip(rows, results, strict=True)],
    }
    assumed = name_assumptions(_distinct_gpus(header, rows))
    if assumed:
        body["name_assumptions"] = assumed
    return versioned("predict-cases", body)


def _distinct_gpus(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    if GPU_COLUMN not in header:
        return []
    column = list(header).index(GPU_COLUMN)
    return sorted({row[column].strip() for row in rows if row[column].strip()})


def _case_row(header: Sequence[str], row: Sequence[str], result: tuple[str, ...]) -> dict[str, Any]:
    document: dict[str, Any] = dict(zip(header, row, strict=True))
    value, low, high, error = result
    for key, text in (("value", value), ("low", low), ("high", high)):
        document[key] = float(text) if text else None
    document["error"] = error or None
    return document
