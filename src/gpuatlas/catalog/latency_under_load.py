"""Published latency-under-load measurements: one statistic of one latency metric of one
serving benchmark run, with the load that produced it.

A serving benchmark (vLLM's `benchmark_serving` / `vllm bench serve`, SGLang's
`bench_serving`, AIPerf, GuideLLM) sends requests at a request rate (Poisson arrivals), or keeps
a fixed number of requests in flight (a closed loop at a concurrency), or both, and reports the
mean, median and upper percentiles of time to first token (TTFT), time per output token after
the first (TPOT) and end-to-end latency (E2E). The rows live in CSV files under
``catalog/data/measurements/under_load/`` (one file per source), apart from the one-number-per-
workload data set the calibration fits: a latency under load depends on the load, which that
data set's rows do not carry. `benchmarks/estimate_accuracy.py` predicts each row with the
serving simulation `gpuatlas plan` uses.

Columns: the run's `gpu`, `gpu_count`, `parallelism`, `engine`, `engine_version`, `model`,
`weights`, `kv_cache`; its request shape: `input_tokens` and `output_tokens` (means),
`lengths` (`fixed`: every request has those lengths; `sharegpt`: sampled from a chat data set
with those means), `concurrency` (most requests in flight; empty = no cap), `request_rate_rps`
(Poisson arrivals at this rate; empty = no pacing: every request is sent at once, or as soon as
a slot of the concurrency frees), `requests` (how many the run sent); the number: `metric`
(`ttft_ms`, `tpot_ms`, `e2e_ms`), `statistic` (`mean`, `median`, `p90`, `p95`, `p99` over the
run's requests), `value`, `unit` (`ms`); and `source`, `source_date`, `notes`. Optional
server settings the source states: `gpu_memory_utilization` (vLLM's share of each GPU its KV
pool is carved from; SGLang's `mem_fraction_static`) and `max_num_batched_tokens` (the step
budget and the profile run that sizes the pool); empty: the engine's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, field_validator

from gpuatlas.catalog.csv_rows import (
    CsvSchema,
    FieldProblem,
    RowParser,
    parse_rows,
    read_numbered_rows,
)
from gpuatlas.catalog.field_meanings import meaning
from gpuatlas.catalog.file_schemas import (
    build,
    csv_file_schema,
    file_columns,
    required_file_columns,
)
from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.measurements import ENGINES, measurements_dir
from gpuatlas.catalog.request_lengths import RunLengths
from gpuatlas.errors import DataFileError, UnknownNameError

UNDER_LOAD_FOLDER = "under_load"
LatencyMetric = Literal["ttft_ms", "tpot_ms", "e2e_ms"]
Statistic = Literal["mean", "median", "p90", "p95", "p99"]
LengthShape = RunLengths
LATENCY_METRICS: tuple[LatencyMetric, ...] = ("ttft_ms", "tpot_ms", "e2e_ms")
STATISTICS: tuple[Statistic, ...] = ("mean", "median", "p90", "p95", "p99")


@dataclass(frozen=True)
class LatencyUnderLoadRow:
    """One published latency statistic of a serving run under a stated load."""

    gpu: str = field(metadata=meaning("GPU", min_length=1))
    gpu_count: int = field(metadata=meaning("GPUs", ge=1, le=1024))
    engine: str
    engine_version: str
    model: str = field(metadata=meaning("Model", min_length=1))
    weights: str
    input_tokens: float = field(metadata=meaning("Input tokens", gt=0))
    output_tokens: float = field(metadata=meaning("Output tokens", gt=0))
    metric: LatencyMetric
    statistic: Statistic
    value: float = field(metadata=meaning("Value", gt=0, allow_inf_nan=False))
    unit: Literal["ms"]
    source: str = field(metadata=meaning("Source", min_length=3))
    notes: str
    file: str = field(metadata=meaning(in_file=False))
    line: int = field(metadata=meaning(in_file=False))
    concurrency: int | None = field(default=None, metadata=meaning("Concurrency", ge=1))
    request_rate_rps: float | None = field(
        default=None, metadata=meaning("Request rate", "req/s", gt=0, allow_inf_nan=False)
    )
    requests: int | None = field(default=None, metadata=meaning("Requests", ge=1))
    lengths: LengthShape = "fixed"
    kv_cache: str | None = None
    parallelism: Literal["none", "tp"] | None = None
    source_date: str | None = None  # ISO date of the source; None: undated (the notes say so)
    gpu_memory_utilization: float | None = field(
        default=None, metadata=meaning("Memory share", gt=0, le=1)
    )
    max_num_batched_tokens: int | None = field(
        default=None, metadata=meaning("Batched tokens per step", ge=1)
    )

    @property
    def row_id(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def run_key(self) -> tuple[object, ...]:
        """Everything that makes one benchmark run: rows with equal keys are statistics of
        the same run (they are simulated once)."""
        return (
            self.source,
            self.gpu,
            self.gpu_count,
            self.engine,
            self.engine_version,
            self.model,
            self.weights,
            self.kv_cache,
            self.gpu_memory_utilization,
            self.max_num_batched_tokens,
            self.input_tokens,
            self.output_tokens,
            self.lengths,
            self.concurrency,
            self.request_rate_rps,
            self.requests,
        )


def under_load_dir() -> Path:
    """The folder of the packaged latency-under-load files."""
    return measurements_dir() / UNDER_LOAD_FOLDER


def _known_engine(cls: type, engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; one of: {', '.join(sorted(ENGINES))}")
    return engine


def _known_format(cls: type, weights: str) -> str:
    try:
        return resolve_format(weights).id
    except UnknownNameError as error:
        raise ValueError(str(error)) from None


@cache
def latency_row_schema() -> type[BaseModel]:
    """One CSV row as written: the declared fields with their checks, an engine from the
    data set's list and a weight format that resolves (stored as its catalog id)."""
    return csv_file_schema(
        LatencyUnderLoadRow,
        {
            "known_engine": field_validator("engine")(_known_engine),
            "known_format": field_validator("weights")(_known_format),
        },
    )


LATENCY_ROW_COLUMNS = CsvSchema(
    required_file_columns(LatencyUnderLoadRow), file_columns(LatencyUnderLoadRow)
)


def _load_problems(row: BaseModel) -> list[FieldProblem]:
    """A run's load must be stated: a rate, a concurrency, or how many requests came at once."""
    values = vars(row)
    stated = (values["concurrency"], values["request_rate_rps"], values["requests"])
    if all(value is None for value in stated):
        return [
            (
                "concurrency",
                "state the load: a concurrency, a request_rate_rps, or the requests sent at once",
            )
        ]
    if values["gpu_count"] > 1 and values["parallelism"] != "tp":
        return [("parallelism", "a run on several GPUs needs parallelism 'tp'")]
    return []


def load_latency_under_load(path: Path | str | None = None) -> list[LatencyUnderLoadRow]:
    """The rows of one CSV file or of every CSV in a folder (default: the packaged folder).
    Raises DataFileError listing every bad line and field of every file."""
    target = Path(path) if path is not None else under_load_dir()
    files = sorted(target.glob("*.csv")) if target.is_dir() else [target]
    rows: list[LatencyUnderLoadRow] = []
    problems: list[str] = []
    for csv_path in files:
        try:
            found, file_problems = _load_file(csv_path)
        except DataFileError as error:
            found, file_problems = [], [f"{csv_path.name}: {p}" for p in error.problems]
        rows += found
        problems += file_problems
    if problems:
        raise DataFileError(str(target), problems)
    return rows


def _load_file(path: Path) -> tuple[list[LatencyUnderLoadRow], list[str]]:
    numbered = read_numbered_rows(path, LATENCY_ROW_COLUMNS)
    parser: RowParser[BaseModel, LatencyUnderLoadRow] = RowParser(
        latency_row_schema(), lambda row: _built(row, path.name), checks=_load_problems
    )
    built, problems = parse_rows(numbered, parser)
    rows = [replace(row, line=line) for line, row in built]
    return rows, [f"{path.name}: {problem}" for problem in problems]


def _built(row: BaseModel, file: str) -> LatencyUnderLoadRow:
    gpu = resolve_gpu(vars(row)["gpu"]).id
    return build(LatencyUnderLoadRow, row, gpu=gpu, file=file, line=0)
