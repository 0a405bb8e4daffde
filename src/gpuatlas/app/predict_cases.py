"""`predict --cases FILE --json`: one prediction per row of a CSV of cases (CLI only: the web
never reads files)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpuatlas.app.documents import versioned


def predict_cases_document(
    cases: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    results: Sequence[tuple[str, ...]],
) -> dict[str, Any]:
    """gpuatlas.predict-cases/1: the file read (`request.cases`), then `rows`: each row's
    columns as given, then value/low/high as numbers (null on error) and error."""
    return versioned(
        "predict-cases",
        {
            "request": {"cases": cases},
            "rows": [
                _case_row(header, row, result) for row, result in zip(rows, results, strict=True)
            ],
        },
    )


def _case_row(header: Sequence[str], row: Sequence[str], result: tuple[str, ...]) -> dict[str, Any]:
    document: dict[str, Any] = dict(zip(header, row, strict=True))
    value, low, high, error = result
    for key, text in (("value", value), ("low", low), ("high", high)):
        document[key] = float(text) if text else None
    document["error"] = error or None
    return document
