"""The standard suite: versioned benchmark definitions loaded from data/suite_v1.toml."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from gpuatlas.errors import DataFileError, UnknownNameError
from gpuatlas.records.result import CategoryId

SUITE_FILE = "suite_v1.toml"
CATEGORY_IDS: tuple[str, ...] = get_args(CategoryId)
HTTP_RUNNERS = ("openai-serving", "ollama-single", "openai-vision")


@dataclass(frozen=True)
class Benchmark:
    id: str
    version: int
    category: str
    title: str
    runner: str
    unit: str
    higher_is_better: bool
    primary_metric: str
    model: str | None = None
    requires_gpu: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    based_on: str | None = None  # a custom run: the suite benchmark it started from
    differences: tuple[str, ...] = ()  # a custom run: how it differs from ``based_on``

    @property
    def needs_endpoint(self) -> bool:
        return self.runner in HTTP_RUNNERS


class _BenchmarkEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    version: int
    category: CategoryId
    title: str
    runner: str
    unit: str
    higher_is_better: bool
    primary_metric: str
    model: str | None = None
    requires_gpu: bool = False
    params: dict[str, Any] = {}


@cache
def suite() -> tuple[Benchmark, ...]:
    """All benchmarks of suite v1, in file order."""
    text = resources.files("gpuatlas.records").joinpath("data", SUITE_FILE).read_text("utf-8")
    return parse_suite(tomllib.loads(text), SUITE_FILE)


def parse_suite(document: dict[str, Any], origin: str) -> tuple[Benchmark, ...]:
    problems: list[str] = []
    benchmarks: list[Benchmark] = []
    for position, raw in enumerate(document.get("benchmark", [])):
        try:
            entry = _BenchmarkEntry.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in item["loc"])
                problems.append(f"benchmark #{position + 1} field {where}: {item['msg']}")
            continue
        benchmarks.append(Benchmark(**entry.model_dump()))
    _check_unique_ids(benchmarks, problems)
    if problems:
        raise DataFileError(origin, problems)
    return tuple(benchmarks)


def _check_unique_ids(benchmarks: list[Benchmark], problems: list[str]) -> None:
    seen: set[str] = set()
    for benchmark in benchmarks:
        if benchmark.id in seen:
            problems.append(f"benchmark {benchmark.id}: duplicate id")
        seen.add(benchmark.id)


def get_benchmark(benchmark_id: str) -> Benchmark:
    for benchmark in suite():
        if benchmark.id == benchmark_id:
            return benchmark
    ids = [benchmark.id for benchmark in suite()]
    raise UnknownNameError("benchmark", benchmark_id, difflib.get_close_matches(benchmark_id, ids))


def select_benchmarks(selector: str) -> list[Benchmark]:
    """A benchmark id, a category id, or "suite" (everything)."""
    if selector == "suite":
        return list(suite())
    if selector in CATEGORY_IDS:
        return [benchmark for benchmark in suite() if benchmark.category == selector]
    names = [benchmark.id for benchmark in suite()] + list(CATEGORY_IDS) + ["suite"]
    if selector not in names:
        raise UnknownNameError(
            "benchmark or category", selector, difflib.get_close_matches(selector, names, n=5)
        )
    return [get_benchmark(selector)]
