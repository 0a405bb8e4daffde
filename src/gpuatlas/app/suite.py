"""`bench list`: the benchmarks of the standard suite, what each measures and what it needs."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from pydantic import Field

from gpuatlas.app.documents import versioned
from gpuatlas.app.requests import AnswerRequest
from gpuatlas.choices import checked_choice
from gpuatlas.records.suite import suite

if TYPE_CHECKING:
    from gpuatlas.records.suite import Benchmark

SUITE_NAME = "gpuatlas-suite"
SUITE_VERSION = 1


class BenchListRequest(AnswerRequest):
    """Which benchmarks (the filter of `gpuatlas bench list`); none: the whole suite."""

    category: str | None = Field(
        None, min_length=1, max_length=40, description="Only this category."
    )


def chosen_benchmarks(request: BenchListRequest) -> list[Benchmark]:
    """The suite's benchmarks of the category, in suite order (the CLI's table); an unknown
    category is an error naming the close matches."""
    if request.category is not None:
        checked_choice("benchmark category", request.category, (b.category for b in suite()))
    return [b for b in suite() if request.category in (None, b.category)]


def bench_list_document(request: BenchListRequest) -> dict[str, Any]:
    """``gpuatlas.bench-list/1``: the request, the suite's name and version, and each benchmark
    (id, version, category, title, runner, model, unit, direction, what it needs, params)."""
    return versioned(
        "bench-list",
        {
            "request": request.model_dump(),
            "suite": SUITE_NAME,
            "suite_version": SUITE_VERSION,
            "benchmarks": [asdict(b) for b in chosen_benchmarks(request)],
        },
    )
