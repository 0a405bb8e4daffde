"""KV-cache capacities that inference engines report at start-up, for checking `gpuatlas fit`.

An engine sizes its KV cache once, when it starts: vLLM profiles one forward pass, takes
`gpu_memory_utilization` of the GPU's total memory, subtracts the weights, the activation peak
and the memory outside PyTorch, and logs what is left ("Available KV cache memory: 58.11 GiB",
"GPU KV cache size: 476,016 tokens"; before V1 "# GPU blocks: 1952", 16 tokens each); SGLang
logs "KV Cache is allocated. #tokens: …" and `max_total_num_tokens`. Users paste these lines
in GitHub issues and capacity-planner projects collect them. The rows live in CSV files under
``catalog/data/measurements/kv_capacity/`` (one file per source); the calibration never reads
them: `benchmarks/estimate_accuracy.py` compares the memory model's KV pool with each row.

Columns: the run's `gpu` and `gpu_count` (tensor-parallel size), `engine`, `engine_version`
(a release, or the month of the post when the thread names none), `model` (catalog id) and the
`checkpoint` served, `weights` (catalog weight format), `kv_cache` (`auto`: the model's dtype,
or `fp8`), `gpu_memory_utilization` (SGLang: `mem_fraction_static`), `max_model_len` and
`max_num_batched_tokens` (empty: not stated); what the engine reported: `reported_kv_tokens`,
`reported_kv_gib` (the pool), `reported_weights_gib`, `reported_activation_gib` (the profile
run's peak), `reported_non_torch_gib` (empty: not in the post); `source`, `source_date`, `notes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from gpuatlas.catalog import csv_rows, file_schemas
from gpuatlas.catalog.field_meanings import meaning
from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.measurements import measurements_dir
from gpuatlas.catalog.model_names import resolve_model
from gpuatlas.errors import DataFileError, UnknownNameError

KV_CAPACITY_FOLDER = "kv_capacity"
CAPACITY_ENGINES = ("vllm", "sglang", "tensorrt-llm", "llama.cpp")


@dataclass(frozen=True)
class KvCapacityRow:
    """One engine start-up: its configuration and the KV cache it reported."""

    gpu: str = field(metadata=meaning("GPU", min_length=1))
    gpu_count: int = field(metadata=meaning("GPUs", ge=1, le=64))
    engine: Literal["vllm", "sglang", "tensorrt-llm", "llama.cpp"]
    engine_version: str = field(metadata=meaning("Engine version", min_length=1))
    model: str = field(metadata=meaning("Model", min_length=1))
    checkpoint: str = field(metadata=meaning("Checkpoint", min_length=1))
    weights: str
    kv_cache: Literal["auto", "fp8"]
    file: str = field(metadata=meaning(in_file=False))
    line: int = field(metadata=meaning(in_file=False))
    gpu_memory_utilization: float = field(metadata=meaning("Memory share", gt=0, le=1))
    reported_kv_tokens: int = field(metadata=meaning("Reported KV tokens", ge=1))
    source: str = field(metadata=meaning("Source", min_length=3))
    source_date: str = field(metadata=meaning("Source date", min_length=7))
    notes: str
    max_model_len: int | None = field(default=None, metadata=meaning("Max model len", ge=1))
    max_num_batched_tokens: int | None = field(
        default=None, metadata=meaning("Batched tokens", ge=1)
    )
    reported_kv_gib: float | None = field(default=None, metadata=meaning("KV pool", "GiB", gt=0))
    reported_weights_gib: float | None = field(
        default=None, metadata=meaning("Weights", "GiB", gt=0)
    )
    reported_activation_gib: float | None = field(
        default=None, metadata=meaning("Activation peak", "GiB", ge=0)
    )
    reported_non_torch_gib: float | None = field(
        default=None, metadata=meaning("Non-torch", "GiB", ge=0)
    )

    @property
    def row_id(self) -> str:
        return f"{self.file}:{self.line}"


def kv_capacity_dir() -> Path:
    """The folder of the packaged KV-capacity files."""
    return measurements_dir() / KV_CAPACITY_FOLDER


@cache
def kv_capacity_row_schema() -> type[BaseModel]:
    """One CSV row as written: the declared fields with their checks."""
    return file_schemas.csv_file_schema(KvCapacityRow)


def _format_problems(row: BaseModel) -> list[csv_rows.FieldProblem]:
    """The weight format must be a catalog format (stored as its id)."""
    return [] if _format_id(vars(row)["weights"]) else [("weights", _unknown_format(row))]


def _format_id(weights: str) -> str | None:
    try:
        return resolve_format(weights).id
    except UnknownNameError:
        return None


def _unknown_format(row: BaseModel) -> str:
    try:
        resolve_format(vars(row)["weights"])
    except UnknownNameError as error:
        return str(error)
    return ""


KV_CAPACITY_COLUMNS = csv_rows.CsvSchema(
    file_schemas.required_file_columns(KvCapacityRow), file_schemas.file_columns(KvCapacityRow)
)


def load_kv_capacity(path: Path | str | None = None) -> list[KvCapacityRow]:
    """The rows of one CSV file or of every CSV in a folder (default: the packaged folder).
    Raises DataFileError listing every bad line and field of every file."""
    target = Path(path) if path is not None else kv_capacity_dir()
    rows: list[KvCapacityRow] = []
    problems: list[str] = []
    for csv_path in sorted(target.glob("*.csv")) if target.is_dir() else [target]:
        try:
            numbered = csv_rows.read_numbered_rows(csv_path, KV_CAPACITY_COLUMNS)
        except DataFileError as error:
            problems += [f"{csv_path.name}: {problem}" for problem in error.problems]
            continue
        parser: csv_rows.RowParser[BaseModel, KvCapacityRow] = csv_rows.RowParser(
            kv_capacity_row_schema(),
            partial(_resolved, file=csv_path.name),
            checks=_format_problems,
        )
        built, file_problems = csv_rows.parse_rows(numbered, parser)
        rows += [replace(row, line=line) for line, row in built]
        problems += [f"{csv_path.name}: {problem}" for problem in file_problems]
    if problems:
        raise DataFileError(str(target), problems)
    return rows


def _resolved(row: BaseModel, file: str) -> KvCapacityRow:
    """The row with its GPU and model resolved to catalog ids (UnknownNameError otherwise)."""
    values = vars(row)
    gpu = resolve_gpu(values["gpu"]).id
    model = resolve_model(values["model"], allow_hub=False).id
    weights = _format_id(values["weights"]) or values["weights"]
    return file_schemas.build(
        KvCapacityRow, row, gpu=gpu, model=model, weights=weights, file=file, line=0
    )
