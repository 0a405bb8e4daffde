"""`bench run` and `bench import`: the result records a run or an import produced, whether each
may be compared, its ids and the file it was written to (CLI only: the web app never runs a
benchmark or reads a local file; results reach a server through `push` or the agent)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gpuatlas.app.documents import versioned
from gpuatlas.records.identity import benchmark_key, identity_key
from gpuatlas.records.result import BenchResult
from gpuatlas.records.validity import comparability_problems

RUN_ANSWER = "bench-run"
IMPORT_ANSWER = "bench-import"


def bench_run_document(
    request: Mapping[str, Any],
    results: Sequence[BenchResult],
    skipped: Sequence[Mapping[str, str]],
    files: Mapping[str, str],
) -> dict[str, Any]:
    """``gpuatlas.bench-run/1``: the request (selector, sweep, output), each result (see
    `result_entries`), the benchmarks skipped with the reason, the files written and whether
    every result is valid for comparison (false when nothing ran)."""
    return versioned(
        RUN_ANSWER,
        {
            "request": dict(request),
            **_results_part(results, files),
            "skipped": [dict(item) for item in skipped],
        },
    )


def bench_import_document(
    request: Mapping[str, Any], results: Sequence[BenchResult], files: Mapping[str, str]
) -> dict[str, Any]:
    """``gpuatlas.bench-import/1``: the request (file, tool, GPU, output), each imported result
    (see `result_entries`), the files written and whether every result is valid for comparison."""
    return versioned(IMPORT_ANSWER, {"request": dict(request), **_results_part(results, files)})


def _results_part(results: Sequence[BenchResult], files: Mapping[str, str]) -> dict[str, Any]:
    entries = result_entries(results, files)
    return {
        "results": entries,
        "files": [entry["file"] for entry in entries if entry["file"] is not None],
        "valid_for_comparison": bool(entries)
        and all(entry["valid_for_comparison"] for entry in entries),
    }


def result_entries(
    results: Sequence[BenchResult], files: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Per result: its id (`result_id`), the benchmark id it is stored under (a suite id, or
    a custom/external id for a run that differs from the suite's definition) and version,
    `benchmark_key` and `run_identity` (what results are grouped by: records/identity.py),
    `valid_for_comparison` with the reasons it is not (records/validity.py), the `file` it
    was written to (null: not written) and the whole `record` (gpuatlas.result/1)."""
    entries = []
    for result in results:
        problems = comparability_problems(result)
        entries.append(
            {
                "result_id": result.result_id,
                "benchmark": result.benchmark,
                "benchmark_version": result.benchmark_version,
                "benchmark_key": benchmark_key(result.benchmark, result.benchmark_version),
                "run_identity": identity_key(result),
                "valid_for_comparison": not problems,
                "not_valid_reasons": problems,
                "file": files.get(result.result_id),
                "record": result.model_dump(mode="json"),
            }
        )
    return entries
