"""The project's public measured data set: published measurements with source and configuration.

Rows live in CSV files under ``catalog/data/measurements/`` (one file per source family), with
the header in ``COLUMNS``. Each row is one published number: the GPU (a catalog id), how many,
the engine and its version, the model (a hub id), the weight format, the batch and lengths (or
resolution and steps for images), the metric, the value and its unit, and where it came from.

``load_measurements()`` validates every row with pydantic and reports every problem of every
file at once (file, line and field) as a ``DataFileError``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.errors import DataFileError, UnknownNameError

__all__ = [
    "BACKENDS",
    "COLUMNS",
    "ENGINES",
    "METRIC_UNITS",
    "OPTIONAL_COLUMNS",
    "PARALLELISM_KINDS",
    "VARIANT_FORM",
    "MeasuredRow",
    "Parallelism",
    "all_measurements",
    "holdout_dir",
    "load_holdout",
    "load_measurements",
    "measurements_dir",
]

COLUMNS: tuple[str, ...] = (
    "gpu",
    "gpu_count",
    "engine",
    "engine_version",
    "model",
    "weights",
    "kv_cache",
    "batch",
    "input_tokens",
    "output_tokens",
    "resolution",
    "steps",
    "metric",
    "value",
    "unit",
    "source",
    "source_date",
    "notes",
)

# Columns a file may add after the required ones; files without them load unchanged.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "parallelism",
    "variant",
    "backend",
    "unusable_for_calibration",
)

# The compute backend an engine ran on, as the source states it (llama.cpp's ggml backends,
# ROCm builds of vLLM/SGLang, Apple MLX and Core ML); empty = the engine's default for the GPU.
BACKENDS: frozenset[str] = frozenset(
    ["cuda", "rocm", "metal", "vulkan", "sycl", "cpu", "mlx", "coreml"]
)

# The backend a vendor's GPUs run by default (CUDA on NVIDIA, ROCm/HIP on AMD, Metal on Apple,
# SYCL on Intel): a row on its platform's default backend measured the same workload as the
# same row on another vendor's default (llama.cpp on an M2 Ultra vs on an RTX 4090), so only a
# non-default backend (Vulkan, CPU, MLX, Core ML) makes a different workload.
DEFAULT_BACKEND_OF_VENDOR: dict[str, str] = {
    "NVIDIA": "cuda",
    "AMD": "rocm",
    "Apple": "metal",
    "Intel": "sycl",
}


@cache
def vendor_of_gpu(gpu_id: str) -> str:
    return next((gpu.vendor for gpu in all_gpus() if gpu.id == gpu_id), "")


# Rows from sources the calibration never reads (the held-out check of the accuracy report)
# live in this sub-folder: `load_measurements()` reads only the top folder's files.
HOLDOUT_FOLDER = "holdout"

# A variant names what makes a run a different configuration from the baseline of the same
# engine, model and shape (``torch.compile``, ``tensorrt``, ``static-batching``, ...): lower-case
# words joined by ``+`` when several apply (``denoise-loop+torch.compile``); empty = baseline.
VARIANT_FORM = re.compile(r"^[a-z0-9][a-z0-9._-]*(\+[a-z0-9][a-z0-9._-]*)*$")

Parallelism = Literal["none", "tp", "pp", "layer-split", "dp"]
PARALLELISM_KINDS: tuple[str, ...] = ("none", "tp", "pp", "layer-split", "dp")

METRIC_UNITS: dict[str, str] = {
    "prefill_tok_s": "tok/s",
    "decode_tok_s": "tok/s",
    "serving_output_tok_s": "tok/s",
    "train_tok_s": "tok/s",
    "image_s": "s/image",
    "images_per_min": "images/min",
    "ttft_ms": "ms",
    "tpot_ms": "ms",
}

ENGINES: frozenset[str] = frozenset(
    [
        "llama.cpp",
        "ollama",
        "vllm",
        "sglang",
        "tensorrt-llm",
        "transformers",
        "tgi",
        "diffusers",
        "pytorch",
        "tensorrt",
        "mlx-lm",
        "mlc-llm",
        "exllamav2",
        "stable-fast",
        "coreml",
    ]
)

Metric = Literal[
    "prefill_tok_s",
    "decode_tok_s",
    "serving_output_tok_s",
    "train_tok_s",
    "image_s",
    "images_per_min",
    "ttft_ms",
    "tpot_ms",
]

_ISO_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_RESOLUTION = re.compile(r"^[1-9]\d{1,4}x[1-9]\d{1,4}$")


@dataclass(frozen=True)
class MeasuredRow:
    """One published measurement with its full configuration and provenance.

    ``batch`` is the number of concurrent sequences or images (``"max"`` = offline maximum
    throughput, ``None`` = the source does not state it). ``source_date`` is ISO (YYYY-MM-DD,
    or YYYY-MM / YYYY where the source gives no day), ``None`` when the source is undated.
    ``file`` and ``line`` locate the row in the data set (its stable provenance id).
    ``parallelism`` is how a multi-GPU run split the work: ``tp`` tensor parallel, ``pp``
    pipeline parallel, ``layer-split`` (llama.cpp's ``--split-mode layer``), ``dp`` data
    parallel (replicas, or sharded data parallel such as FSDP); ``"none"`` for one GPU and
    ``None`` when the source does not say. ``variant`` names a non-baseline configuration
    (``torch.compile``, ``xformers``, ``static-batching``, ...; ``None`` = the baseline):
    rows with different variants measured different workloads.
    """

    gpu: str
    gpu_count: int
    engine: str
    engine_version: str
    model: str
    weights: str
    kv_cache: str | None
    batch: int | Literal["max"] | None
    input_tokens: int | None
    output_tokens: int | None
    resolution: str | None
    steps: int | None
    metric: Metric
    value: float
    unit: str
    source: str
    source_date: str | None
    notes: str
    file: str
    line: int
    parallelism: Parallelism | None = None
    variant: str | None = None
    backend: str | None = None
    # why the row can neither calibrate nor validate the model (a setting that decides the
    # result is unknowable from the source); None = usable. Kept in the data set, not deleted.
    unusable_for_calibration: str | None = None

    @property
    def row_id(self) -> str:
        """Stable id for provenance: '<file>:<line>'."""
        return f"{self.file}:{self.line}"

    @property
    def higher_is_better(self) -> bool:
        return self.metric not in {"image_s", "ttft_ms", "tpot_ms"}

    @property
    def workload_key(self) -> str:
        """Everything but the GPU and the source: rows with equal keys measured the same
        workload, so their values can be compared across GPUs (gpu_count, parallelism and
        variant included)."""
        parts = (
            self.metric,
            self.engine,
            self.model,
            self.weights,
            self.kv_cache or "",
            self.batch,
            self.input_tokens,
            self.output_tokens,
            self.resolution or "",
            self.steps,
            self.gpu_count,
            self.parallelism,
            self.variant,
        )
        key = "|".join("" if part is None else str(part) for part in parts)
        backend = self.non_default_backend
        return f"{key}|{backend}" if backend else key

    @property
    def non_default_backend(self) -> str | None:
        """The backend when it is not the GPU vendor's default (see DEFAULT_BACKEND_OF_VENDOR),
        else None: the part of the backend that changes what workload was measured."""
        if not self.backend:
            return None
        default = DEFAULT_BACKEND_OF_VENDOR.get(vendor_of_gpu(self.gpu))
        return None if default == self.backend else self.backend


class _RowRecord(BaseModel):
    """One CSV row as written in a data file (the file's schema)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    gpu: str = Field(min_length=1)
    gpu_count: int = Field(ge=1, le=1024)
    engine: str
    engine_version: str = ""
    model: str = Field(min_length=1)
    weights: str
    kv_cache: str | None = None
    batch: int | Literal["max"] | None = None
    input_tokens: int | None = Field(default=None, ge=0)
    output_tokens: int | None = Field(default=None, ge=0)
    resolution: str | None = None
    steps: int | None = Field(default=None, ge=1)
    metric: Metric
    value: float = Field(gt=0, allow_inf_nan=False)
    unit: str
    source: str = Field(min_length=3)
    source_date: str | None = None
    notes: str = ""
    parallelism: Parallelism | None = None
    variant: str | None = None
    backend: str | None = None
    unusable_for_calibration: str | None = None

    @field_validator("gpu")
    @classmethod
    def _known_gpu(cls, gpu_id: str) -> str:
        if gpu_id not in _known_gpu_ids():
            raise ValueError(f"unknown GPU id {gpu_id!r} (use a catalog id such as 'rtx-4090')")
        return gpu_id

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, engine: str) -> str:
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; one of: {', '.join(sorted(ENGINES))}")
        return engine

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, backend: str | None) -> str | None:
        if backend is not None and backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; one of: {', '.join(sorted(BACKENDS))}")
        return backend

    @field_validator("weights")
    @classmethod
    def _known_format(cls, weights: str) -> str:
        return _catalog_format_id(weights)

    @field_validator("batch", mode="before")
    @classmethod
    def _positive_batch(cls, batch: object) -> object:
        if isinstance(batch, str) and batch.isdigit() and int(batch) < 1:
            raise ValueError("batch must be at least 1 (or 'max', or empty when not stated)")
        return batch

    @field_validator("resolution")
    @classmethod
    def _resolution_form(cls, resolution: str | None) -> str | None:
        if resolution is not None and not _RESOLUTION.match(resolution):
            raise ValueError(f"resolution {resolution!r} is not WIDTHxHEIGHT, e.g. 1024x1024")
        return resolution

    @field_validator("variant")
    @classmethod
    def _variant_form(cls, variant: str | None) -> str | None:
        if variant is not None and not VARIANT_FORM.match(variant):
            raise ValueError(
                f"variant {variant!r} is not lower-case words joined by '+' "
                "(e.g. torch.compile, denoise-loop+torch.compile)"
            )
        return variant

    @field_validator("source_date")
    @classmethod
    def _iso_date(cls, date: str | None) -> str | None:
        if date is not None and not _ISO_DATE.match(date):
            raise ValueError(f"source_date {date!r} is not ISO (YYYY-MM-DD, YYYY-MM or YYYY)")
        return date

    def unit_problem(self) -> str | None:
        expected = METRIC_UNITS[self.metric]
        if self.unit != expected:
            return f"field unit: {self.unit!r} does not match metric {self.metric} ({expected!r})"
        return None

    def parallelism_problem(self) -> str | None:
        """'none' is for one GPU; tp/pp/layer-split/dp need at least two."""
        if self.parallelism == "none" and self.gpu_count > 1:
            return f"field parallelism: 'none' with gpu_count {self.gpu_count} (use tp, pp, ...)"
        if self.parallelism not in (None, "none") and self.gpu_count == 1:
            return f"field parallelism: {self.parallelism!r} needs gpu_count > 1, got 1"
        return None

    def derived_parallelism(self) -> Parallelism | None:
        """The stated value, else 'none' for a single GPU (None: multi-GPU, not stated)."""
        if self.parallelism is None and self.gpu_count == 1:
            return "none"
        return self.parallelism

    def problems(self) -> list[str]:
        """Problems that involve more than one field."""
        return [p for p in (self.unit_problem(), self.parallelism_problem()) if p is not None]


def measurements_dir() -> Path:
    """The folder holding the packaged CSV files."""
    return Path(str(resources.files("gpuatlas.catalog") / "data" / "measurements"))


def holdout_dir() -> Path:
    """The folder of held-out rows (sources the calibration never reads)."""
    return measurements_dir() / HOLDOUT_FOLDER


def load_holdout(path: Path | str | None = None) -> list[MeasuredRow]:
    """The held-out rows (default: the packaged holdout folder), validated like the rest."""
    return load_measurements(path if path is not None else holdout_dir())


@cache
def all_measurements() -> tuple[MeasuredRow, ...]:
    """Every packaged measured row (cached)."""
    return tuple(load_measurements())


def load_measurements(path: Path | str | None = None) -> list[MeasuredRow]:
    """Load and validate measured rows from a CSV file or a folder of CSV files.

    ``path`` None means the packaged data set. Raises ``DataFileError`` listing every problem
    of every file (each naming file, line and field) when anything is wrong.
    """
    target = Path(path) if path is not None else measurements_dir()
    files = sorted(target.glob("*.csv")) if target.is_dir() else [target]
    rows: list[MeasuredRow] = []
    problems: list[str] = []
    for csv_path in files:
        file_rows, file_problems = _load_file(csv_path)
        rows += file_rows
        problems += file_problems
    if not files:
        problems.append("no CSV files found")
    if problems:
        raise DataFileError(str(target), problems)
    return rows


def _load_file(path: Path) -> tuple[list[MeasuredRow], list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [], [f"{path.name}: cannot read: {error}"]
    reader = csv.DictReader(text.splitlines(keepends=True))
    header_problems = _header_problems(reader.fieldnames)
    if header_problems:
        return [], [f"{path.name}: line 1, {problem}" for problem in header_problems]
    header_size = len(reader.fieldnames or ())
    rows: list[MeasuredRow] = []
    problems: list[str] = []
    for raw in reader:
        line = reader.line_num
        row, row_problems = _parse_row(raw, _RowPlace(path.name, line, header_size))
        problems += [f"{path.name}: line {line}, {problem}" for problem in row_problems]
        if row is not None:
            rows.append(row)
    return rows, problems


def _header_problems(fieldnames: Iterable[str] | None) -> list[str]:
    found = list(fieldnames or [])
    missing = [column for column in COLUMNS if column not in found]
    unexpected = [column for column in found if column not in COLUMNS + OPTIONAL_COLUMNS]
    problems = [f"header: missing column {column!r}" for column in missing]
    problems += [f"header: unexpected column {column!r}" for column in unexpected]
    return problems


@dataclass(frozen=True)
class _RowPlace:
    """Where a row is: its file, its line, and how many columns that file's header has."""

    file: str
    line: int
    header_size: int


def _parse_row(
    raw: dict[str | None, str | list[str] | None], place: _RowPlace
) -> tuple[MeasuredRow | None, list[str]]:
    if None in raw or any(value is None for value in raw.values()):
        return None, [f"row has {_field_count(raw)} fields, the header has {place.header_size}"]
    cells = {str(key): str(value).strip() for key, value in raw.items()}
    fields = {key: (value if value != "" else None) for key, value in cells.items()}
    fields["engine_version"] = cells["engine_version"]
    fields["notes"] = cells["notes"]
    try:
        record = _RowRecord.model_validate(fields)
    except ValidationError as error:
        return None, [_issue_text(issue) for issue in error.errors()]
    if record.problems():
        return None, record.problems()
    values = {**record.model_dump(), "parallelism": record.derived_parallelism()}
    return MeasuredRow(**values, file=place.file, line=place.line), []


def _field_count(raw: dict[str | None, str | list[str] | None]) -> int:
    extra = raw.get(None)
    present = sum(1 for key, value in raw.items() if key is not None and value is not None)
    return present + (len(extra) if isinstance(extra, list) else 0)


def _issue_text(issue: object) -> str:
    details = issue if isinstance(issue, dict) else {}
    location = details.get("loc", ())
    field = str(location[0]) if location else "?"
    message = str(details.get("msg", "invalid")).removeprefix("Value error, ")
    return f"field {field}: {message}"


@cache
def _known_gpu_ids() -> frozenset[str]:
    return frozenset(gpu.id for gpu in all_gpus())


def _catalog_format_id(weights: str) -> str:
    """The catalog id of a weight format ('Q4_K_M' -> 'q4_k_m'); ValueError when unknown."""
    try:
        return resolve_format(weights).id
    except UnknownNameError as error:
        raise ValueError(str(error)) from None
