"""`predict --cases FILE --json`: one prediction per row of a CSV of cases (CLI only: the web
never reads files)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from gpuatlas.app.documents import versioned
from gpuatlas.app.name_notes import name_assumptions
from gpuatlas.calibration.case_files import unstated_build
from gpuatlas.numbers import format_number

GPU_COLUMN = "gpu"
# The CSV answer's column after `error`, present when a row's GPU is a bare family name: how
# that name was read ("A100 read as a100-80gb-sxm (A100 80GB SXM4); other variants: …").
GPU_NOTE_COLUMN = "gpu_note"
WEIGHTS_COLUMNS = ("model", "weights", "engine")


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
    builds = weights_assumptions(header, rows)
    if builds:
        body["weights_assumed"] = builds
    return versioned("predict-cases", body)


def weights_assumptions(
    header: Sequence[str], rows: Sequence[Sequence[str]]
) -> list[dict[str, str]]:
    """One entry per distinct model and engine of the rows that leave `weights` empty on
    Ollama or llama.cpp: the GGUF build predicted for them and why (calibration.case_files
    .unstated_build: the Ollama library's default tag, llama.cpp's Q4_K_M), not 16-bit."""
    if not set(WEIGHTS_COLUMNS) <= set(header):
        return []
    model, weights, engine = (list(header).index(name) for name in WEIGHTS_COLUMNS)
    unstated = {
        (row[model].strip(), row[engine].strip()) for row in rows if not row[weights].strip()
    }
    found: list[dict[str, str]] = []
    for name, engine_text in sorted(unstated):
        build = unstated_build(name, engine_text)
        if build is not None:
            found.append(
                {
                    "model": name,
                    "engine": engine_text,
                    "weights": build.format_id,
                    "reason": build.reason,
                }
            )
    return found


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


def gpu_notes(gpus: Iterable[str]) -> dict[str, str]:
    """For each GPU name (as written, stripped) read as a family's default variant, the CSV
    answer's short note: what it was read as and the other variants with their memory (the
    JSON answer's `name_assumptions` carries the full sentences)."""
    notes: dict[str, str] = {}
    for entry in name_assumptions(sorted({gpu.strip() for gpu in gpus if gpu.strip()})):
        others = ", ".join(
            f"{gpu_id} ({format_number(memory_gb)} GB)"
            for gpu_id, memory_gb in zip(
                entry["other_variants"], entry["other_variants_memory_gb"], strict=True
            )
        )
        notes[entry["written"]] = (
            f"{entry['written']} read as {entry['read_as']} ({entry['gpu_name']})"
            + (f"; other variants: {others}" if others else "")
        )
    return notes


def row_gpu_notes(header: Sequence[str], gpus: Sequence[str]) -> list[str] | None:
    """The `gpu_note` column of a cases file, one field per row (empty where the GPU was named
    exactly); None when no row names a bare family (the answer then has no such column)."""
    if GPU_COLUMN not in header or GPU_NOTE_COLUMN in header:
        return None
    notes = gpu_notes(set(gpus))
    if not notes:
        return None
    return [notes.get(gpu.strip(), "") for gpu in gpus]
