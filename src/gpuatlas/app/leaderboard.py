"""`leaderboard`: Atlas Scores (reference GPU = 100) with intervals and coverage, best first."""

from __future__ import annotations

from typing import Any

from gpuatlas.app.documents import plain, versioned
from gpuatlas.catalog.systems import system_name
from gpuatlas.compare import default_score_method
from gpuatlas.report.measured import MeasuredData, load_all_measured
from gpuatlas.report.scores import leaderboard

SCHEMA_ANSWER = "leaderboard"


def leaderboard_document() -> dict[str, Any]:
    """``gpuatlas.leaderboard/1``: the scoring method, then one row per system with its rank,
    id, product name ("4× RTX 4090") and score fields (value, low, high, coverage, …)."""
    method = default_score_method()
    measured = load_all_measured()
    scored = set(measured.for_system(method.reference_gpu))  # the benchmarks a score rests on
    rows = [
        {
            "rank": row.rank,
            "system": row.system,
            "name": system_name(row.system),
            **plain(row.score),
            "result_ids": scored_result_ids(measured, row.system, scored),
        }
        for row in leaderboard(measured)
    ]
    return versioned(
        SCHEMA_ANSWER,
        {
            "method": {
                "version": method.version,
                "reference_gpu": method.reference_gpu,
                "reference_value": method.reference_value,
                "weights": method.weights,
            },
            "rows": rows,
        },
    )


def scored_result_ids(measured: MeasuredData, system: str, scored: set[str]) -> list[str]:
    """The stored results a system's score rests on (its runs of the benchmarks the reference
    GPU has): every measured figure names its run ids (the leaderboard JSON had none)."""
    return sorted(
        {
            result_id
            for benchmark, samples in measured.for_system(system).items()
            if benchmark in scored
            for result_id in samples.result_ids
        }
    )


def system_score_row(system: str, document: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The system's row of the leaderboard document (its Atlas Score on its own coverage, with
    `basis` in words), or None when it has no benchmark in common with the reference: what the
    GPU page and `gpu NAME` show."""
    rows = (document or leaderboard_document())["rows"]
    return next((row for row in rows if row["system"] == system), None)
