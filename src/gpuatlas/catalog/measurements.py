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
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from gpuatlas.catalog.field_meanings import meaning, meaning_of
from gpuatlas.catalog.file_schemas import build, file_schema
from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.catalog.request_lengths import RunLengths, lengths_problems
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
        "sd-webui",
        "lmdeploy",  # engines.toml: its own decode/serving rows since round 34; prefill vLLM's
        "mflux",  # engines.toml [[engine_name]]: costed as eager diffusers on Apple silicon
        "exllama",  # ExLlama v1 and ExLlamaV3: costed at ExLlamaV2's levels until rows of
        "exllamav3",  # their own calibrate them
        "comfyui-zluda",  # costed at the vanilla-attention levels on the AMD GPU
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

    gpu: str = field(metadata=meaning("GPU", min_length=1))  # a catalog id
    gpu_count: int = field(metadata=meaning("GPUs", ge=1, le=1024))
    engine: str
    engine_version: str
    model: str = field(metadata=meaning("Model", min_length=1))
    weights: str  # a catalog format id (the file may write any name that resolves)
    kv_cache: str | None
    batch: int | Literal["max"] | None
    input_tokens: int | None = field(metadata=meaning("Input tokens", ge=0))
    output_tokens: int | None = field(metadata=meaning("Output tokens", ge=0))
    resolution: str | None
    steps: int | None = field(metadata=meaning("Steps", ge=1))
    metric: Metric
    value: float = field(metadata=meaning("Value", gt=0, allow_inf_nan=False))
    unit: str
    source: str = field(metadata=meaning("Source", min_length=3))
    source_date: str | None
    notes: str
    file: str = field(metadata=meaning(in_file=False))
    line: int = field(metadata=meaning(in_file=False))
    parallelism: Parallelism | None = None
    variant: str | None = None
    backend: str | None = None
    # why the row can neither calibrate nor validate the model (a setting that decides the
    # result is unknowable from the source); None = usable. Kept in the data set, not deleted.
    unusable_for_calibration: str | None = None
    # llama.cpp/Ollama partial offload as run: repeating layers on the GPU (-ngl; Ollama's
    # "offloaded N/M layers" less the output layer), and the host's theoretical memory
    # bandwidth in GB/s (channels x 8 bytes x MT/s) for the layers left on the CPU
    gpu_layers: int | None = field(default=None, metadata=meaning("GPU layers", ge=0))
    host_bandwidth_gb_s: float | None = field(
        default=None, metadata=meaning("Host memory bandwidth", "GB/s", gt=0)
    )
    # a serving run of a finite number of prompts (vLLM `bench serve --num-prompts` with
    # `--max-concurrency` = batch, sglang `bench_serving`): with equal lengths they run in
    # waves of `batch`, the last one smaller; empty = a steady state at `batch`
    requests: int | None = field(default=None, metadata=meaning("Requests", ge=1))
    # a serving run whose requests stopped at end-of-sequence (no --ignore-eos): the mean
    # tokens each request generated, as the source prints it (total generated / requests);
    # output_tokens is then the length the client asked for (max_tokens), a cap. Empty = every
    # request generated output_tokens
    mean_output_tokens: float | None = field(
        default=None, metadata=meaning("Mean generated tokens", gt=0)
    )
    # a finite serving run (`requests`) whose client let each request generate its sampled
    # conversation's own reply (vLLM/SGLang --dataset-name sharegpt without a fixed output
    # length): `sharegpt`, output_tokens their mean; empty = `fixed`, every request
    # output_tokens long (performance/llm/run_lengths.py)
    lengths: RunLengths | None = None
    # llama.cpp/Ollama serving: the request slots the server ran with as the source states
    # them (llama-server --parallel/-np, OLLAMA_NUM_PARALLEL); empty = not set, the release's
    # default (performance/data/server_slots.toml)
    server_slots: int | None = field(default=None, metadata=meaning("Server slots", ge=1))
    # training: micro-steps per optimizer step as the source states it (Hugging Face
    # gradient_accumulation_steps; effective batch = micro-batch x this x data-parallel GPUs);
    # empty = not stated, taken as 1
    gradient_accumulation: int | None = field(
        default=None, metadata=meaning("Gradient accumulation", ge=1)
    )
    # llama.cpp/Ollama: the context the engine allocated per sequence as the source states it
    # (Ollama num_ctx / OLLAMA_CONTEXT_LENGTH, llama.cpp -c); it sizes Ollama's request slots
    # and the GPU/CPU layer split. Empty = not stated: the release's default
    # (performance/data/context_defaults.toml)
    num_ctx: int | None = field(default=None, metadata=meaning("Context allocated", ge=1))
    # llama.cpp llama-bench -d (`pp512 @ d8192`, `tg128 @ d8192`): tokens already in the KV
    # cache when the test starts; a prefill row processes input_tokens after them, a decode
    # row generates after them. Empty = 0 (an empty cache)
    depth: int | None = field(default=None, metadata=meaning("Depth", "tokens", ge=0))

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
        key = f"{key}|{backend}" if backend else key
        key = key if self.gpu_layers is None else f"{key}|ngl{self.gpu_layers}"
        key = key if self.server_slots is None else f"{key}|np{self.server_slots}"
        # the mean output a run realised (requests stopping at end-of-sequence) is an outcome
        # of each GPU's run, not a setting, so it stays out of the key: runs of one benchmark
        # on different GPUs share a key whatever their requests' lengths came to
        key = key if self.requests is None else f"{key}|n{self.requests}"
        key = key if self.lengths in (None, "fixed") else f"{key}|{self.lengths}"
        accumulation = self.gradient_accumulation
        key = key if accumulation is None else f"{key}|ga{accumulation}"
        key = key if self.num_ctx is None else f"{key}|ctx{self.num_ctx}"
        return key if not self.depth else f"{key}|d{self.depth}"

    @property
    def non_default_backend(self) -> str | None:
        """The backend when it is not the GPU vendor's default (see DEFAULT_BACKEND_OF_VENDOR),
        else None: the part of the backend that changes what workload was measured."""
        if not self.backend:
            return None
        default = DEFAULT_BACKEND_OF_VENDOR.get(vendor_of_gpu(self.gpu))
        return None if default == self.backend else self.backend


# The header: every file writes the fields without a default, and may add the others.
COLUMNS: tuple[str, ...] = tuple(
    f.name for f in fields(MeasuredRow) if meaning_of(f).in_file and f.default is MISSING
)
OPTIONAL_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in fields(MeasuredRow) if meaning_of(f).in_file and f.default is not MISSING
)


def _known_gpu(cls: type, gpu_id: str) -> str:
    if gpu_id not in _known_gpu_ids():
        raise ValueError(f"unknown GPU id {gpu_id!r} (use a catalog id such as 'rtx-4090')")
    return gpu_id


def _known_engine(cls: type, engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; one of: {', '.join(sorted(ENGINES))}")
    return engine


def _known_backend(cls: type, backend: str | None) -> str | None:
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; one of: {', '.join(sorted(BACKENDS))}")
    return backend


def _known_format(cls: type, weights: str) -> str:
    return _catalog_format_id(weights)


def _positive_batch(cls: type, batch: object) -> object:
    if isinstance(batch, str) and batch.isdigit() and int(batch) < 1:
        raise ValueError("batch must be at least 1 (or 'max', or empty when not stated)")
    return batch


def _resolution_form(cls: type, resolution: str | None) -> str | None:
    if resolution is not None and not _RESOLUTION.match(resolution):
        raise ValueError(f"resolution {resolution!r} is not WIDTHxHEIGHT, e.g. 1024x1024")
    return resolution


def _variant_form(cls: type, variant: str | None) -> str | None:
    if variant is not None and not VARIANT_FORM.match(variant):
        raise ValueError(
            f"variant {variant!r} is not lower-case words joined by '+' "
            "(e.g. torch.compile, denoise-loop+torch.compile)"
        )
    return variant


def _iso_date(cls: type, date: str | None) -> str | None:
    if date is not None and not _ISO_DATE.match(date):
        raise ValueError(f"source_date {date!r} is not ISO (YYYY-MM-DD, YYYY-MM or YYYY)")
    return date


@cache
def row_file_schema() -> type[BaseModel]:
    """One CSV row as written: `MeasuredRow`'s fields (but file and line) with their checks,
    names that must resolve (GPU, engine, backend, weight format) and forms (resolution,
    variant, date)."""
    checks: dict[str, Any] = {
        "gpu": _known_gpu,
        "engine": _known_engine,
        "backend": _known_backend,
        "weights": _known_format,
        "resolution": _resolution_form,
        "variant": _variant_form,
        "source_date": _iso_date,
    }
    validators = {
        f"check_{column}": field_validator(column)(check) for column, check in checks.items()
    }
    validators["check_batch"] = field_validator("batch", mode="before")(_positive_batch)
    config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    return file_schema(MeasuredRow, config, validators)


def _unit_problem(metric: str, unit: str) -> str | None:
    expected = METRIC_UNITS[metric]
    if unit != expected:
        return f"field unit: {unit!r} does not match metric {metric} ({expected!r})"
    return None


def _parallelism_problem(parallelism: str | None, gpu_count: int) -> str | None:
    """'none' is for one GPU; tp/pp/layer-split/dp need at least two."""
    if parallelism == "none" and gpu_count > 1:
        return f"field parallelism: 'none' with gpu_count {gpu_count} (use tp, pp, ...)"
    if parallelism not in (None, "none") and gpu_count == 1:
        return f"field parallelism: {parallelism!r} needs gpu_count > 1, got 1"
    return None


def _derived_parallelism(parallelism: Parallelism | None, gpu_count: int) -> Parallelism | None:
    """The stated value, else 'none' for a single GPU (None: multi-GPU, not stated)."""
    if parallelism is None and gpu_count == 1:
        return "none"
    return parallelism


def _lengths_problems(written: dict[str, Any]) -> list[str]:
    """A row's `lengths` with its other run settings (run_lengths.lengths_problems)."""
    lengths = written.get("lengths")
    if lengths is None:
        return []
    found = lengths_problems(lengths, written.get("requests"), written.get("mean_output_tokens"))
    if written["metric"] != "serving_output_tok_s":
        found.append(f"lengths describes a serving run, not {written['metric']}")
    return [f"field lengths: {problem}" for problem in found]


def _cross_field_problems(written: dict[str, Any]) -> list[str]:
    """Problems that involve more than one field."""
    found = (
        _unit_problem(written["metric"], written["unit"]),
        _parallelism_problem(written["parallelism"], written["gpu_count"]),
    )
    return [problem for problem in found if problem is not None] + _lengths_problems(written)


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
        record = row_file_schema().model_validate(fields)
    except ValidationError as error:
        return None, [_issue_text(issue) for issue in error.errors()]
    written = vars(record)
    problems = _cross_field_problems(written)
    if problems:
        return None, problems
    parallelism = _derived_parallelism(written["parallelism"], written["gpu_count"])
    row = build(MeasuredRow, record, file=place.file, line=place.line, parallelism=parallelism)
    return row, []


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
