"""Result documents <-> table rows. A row keeps everything needed to rebuild the document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gpuatlas.records.identity import identity_key
from gpuatlas.records.result import BenchResult, parse_result
from gpuatlas.records.validity import comparability_problems
from gpuatlas.store.exported import StoredState

_DETAIL_FIELDS = (
    "repeats",
    "failures",
    "warnings",
    "energy",
    "token_count_source",
    "interrupted",
    "comparable",
    "not_comparable_reasons",
)


def result_row(
    result: BenchResult,
    *,
    origin: str,
    agent: str | None,
    received_at: datetime,
    quarantine_reasons: list[str],
) -> dict[str, Any]:
    """The ``results`` row for one validated result document."""
    document = result.model_dump(mode="json")
    headline = document["headline"]
    return {
        "result_id": result.result_id,
        "schema_version": result.schema_version,
        "benchmark": result.benchmark,
        "benchmark_version": result.benchmark_version,
        "category": result.category,
        "gpu_id": result.gpu_id,
        "gpu_count": result.gpu_count,
        "gpu_name": _first_gpu_name(result),
        "metric": headline["metric"],
        "unit": headline["unit"],
        "higher_is_better": headline["higher_is_better"],
        "value": headline["value"],
        "ci_low": headline["ci_low"],
        "ci_high": headline["ci_high"],
        "created_at": result.created_at,
        "source": result.source,
        "source_date": result.created_at[:10],
        "origin": origin,
        "agent": agent,
        "received_at": received_at,
        "quarantined": bool(quarantine_reasons),
        "quarantine_reasons": quarantine_reasons,
        "released_at": None,
        "fingerprint": document["fingerprint"],
        "settings": document["settings"],
        "metrics": document["metrics"],
        "samples": document["samples"],
        "details": {name: document[name] for name in _DETAIL_FIELDS},
        "identity_key": identity_key(result),
        "comparable": not comparability_problems(result),
    }


def restored_row(result: BenchResult, state: StoredState) -> dict[str, Any]:
    """The ``results`` row of a result read back from a db export, with its store record."""
    row = result_row(
        result,
        origin=state.origin,
        agent=state.agent,
        received_at=state.received_at,
        quarantine_reasons=list(state.quarantine_reasons),
    )
    row["details"] = {**row["details"], "audit": list(state.audit)}
    return {**row, "quarantined": state.quarantined, "released_at": state.released_at}


def _first_gpu_name(result: BenchResult) -> str | None:
    gpus = result.fingerprint.gpus
    return gpus[0].name[:200] if gpus else None


def row_to_document(row: Any) -> dict[str, Any]:
    """The result document a row was made from (public rows get their stored fields)."""
    details = dict(row.details or {})
    headline = {
        "metric": row.metric,
        "unit": row.unit,
        "higher_is_better": row.higher_is_better,
        "value": row.value,
        "ci_low": row.ci_low,
        "ci_high": row.ci_high,
    }
    document: dict[str, Any] = {
        "schema_version": row.schema_version,
        "result_id": row.result_id,
        "benchmark": row.benchmark,
        "benchmark_version": row.benchmark_version,
        "category": row.category,
        "created_at": row.created_at,
        "gpu_id": row.gpu_id,
        "gpu_count": row.gpu_count,
        "fingerprint": row.fingerprint,
        "settings": row.settings,
        "headline": headline,
        "metrics": row.metrics,
        "samples": row.samples,
        "source": row.source,
    }
    document.update({name: details[name] for name in _DETAIL_FIELDS if name in details})
    return document


def row_to_result(row: Any) -> BenchResult:
    return parse_result(row_to_document(row), f"result {row.result_id}")


_COLUMN_LIMITS = {
    "result_id": 128,
    "benchmark": 400,
    "gpu_id": 100,
    "created_at": 40,
    "schema_version": 40,
}
_HEADLINE_LIMITS = {"metric": 100, "unit": 40}
MAX_INT32 = 2**31 - 1
MAX_GPU_COUNT = 4096


def storable_problems(result: BenchResult) -> list[str]:
    """What the database could not hold (column lengths, ranges), each naming its field."""
    problems = [
        f"field {name}: longer than {limit} characters"
        for name, limit in _COLUMN_LIMITS.items()
        if len(str(getattr(result, name) or "")) > limit
    ]
    problems += [
        f"field headline.{name}: longer than {limit} characters"
        for name, limit in _HEADLINE_LIMITS.items()
        if len(getattr(result.headline, name)) > limit
    ]
    if not 0 <= result.benchmark_version <= MAX_INT32:
        problems.append(f"field benchmark_version: must be between 0 and {MAX_INT32}")
    if not 0 <= result.gpu_count <= MAX_GPU_COUNT:
        problems.append(f"field gpu_count: must be between 0 and {MAX_GPU_COUNT}")
    if not result.result_id.strip():
        problems.append("field result_id: must not be empty")
    return problems
