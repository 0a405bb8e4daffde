"""`bench run` (also with `--max-goodput`), `bench import`, `bench host` and one `agent` cycle:
the result records a run or an import produced, whether each may be compared, its ids and where
it was written (CLI only: the web app never runs a benchmark or reads a local file; results
reach a server through `db import`, `agent` or `bench host`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gpuatlas.app.documents import plain, versioned
from gpuatlas.bench.goodput_search import GOOD_FRACTION, RatePoint
from gpuatlas.fleet.agent import PushReport
from gpuatlas.records.identity import benchmark_key, identity_key
from gpuatlas.records.result import BenchResult
from gpuatlas.records.validity import comparability_problems

RUN_ANSWER = "bench-run"
IMPORT_ANSWER = "bench-import"
GOODPUT_ANSWER = "bench-max-goodput"
HOST_ANSWER = "bench-host"
AGENT_CYCLE_ANSWER = "agent-cycle"


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


def bench_max_goodput_document(
    request: Mapping[str, Any],
    best: RatePoint | None,
    points: Sequence[RatePoint],
    files: Mapping[str, str],
) -> dict[str, Any]:
    """``gpuatlas.bench-max-goodput/1``: the request, the highest rate at which
    `good_fraction_needed` of the requests met the SLOs (`max_goodput_rps`, null: none did),
    each rate tried (`points`: rate, share within the SLOs, whether it met them, its result id)
    and each rate's result (see `result_entries`) with the files written."""
    return versioned(
        GOODPUT_ANSWER,
        {
            "request": dict(request),
            "good_fraction_needed": GOOD_FRACTION,
            "max_goodput_rps": best.rate_rps if best else None,
            "points": [
                {
                    "rate_rps": point.rate_rps,
                    "good_fraction": point.good_fraction,
                    "meets": point.meets,
                    "result_id": point.result.result_id,
                }
                for point in points
            ],
            **_results_part([point.result for point in points], files),
        },
    )


def bench_host_document(
    request: Mapping[str, Any],
    results: Sequence[BenchResult],
    skipped: Sequence[Mapping[str, str]],
    pushed: int,
    pending: int,
) -> dict[str, Any]:
    """``gpuatlas.bench-host/1``: one pass of `bench host` — the request (config, spool,
    server), each result (see `result_entries`; `file` null: results go to the spool), the
    benchmarks skipped with the reason, how many results the server acknowledged (`pushed`)
    and how many wait in the spool (`pending`)."""
    return versioned(
        HOST_ANSWER,
        {
            "request": _shown_request(request),
            **_results_part(results, {}),
            "skipped": [dict(item) for item in skipped],
            "pushed": pushed,
            "pending": pending,
        },
    )


def agent_cycle_document(
    request: Mapping[str, Any],
    ran: int,
    skipped: Sequence[str],
    pushed: PushReport,
    pending: int,
) -> dict[str, Any]:
    """``gpuatlas.agent-cycle/1``: one cycle of `gpuatlas agent` — the request (server, what
    to run or push), how many results were spooled (`ran`), what was skipped and why, the
    push (acknowledged, accepted, duplicates, quarantined, rejected, conflicts, summarised,
    attempts, errors, rejections) and how many results still wait in the spool."""
    return versioned(
        AGENT_CYCLE_ANSWER,
        {
            "request": _shown_request(request),
            "ran": ran,
            "skipped": list(skipped),
            "pushed": plain(pushed),
            "pending": pending,
        },
    )


def _shown_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as echoed: a server URL without the user name and password it may hold."""
    shown = dict(request)
    if shown.get("server"):
        shown["server"] = without_credentials(str(shown["server"]))
    return shown


def without_credentials(url: str) -> str:
    """``https://user:secret@host:8443/x`` → ``https://host:8443/x``."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=host + port))
