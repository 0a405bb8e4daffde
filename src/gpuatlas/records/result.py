"""The versioned result file: one benchmark run, self-describing, with its raw samples.

Schema id ``gpuatlas.result/1``. Additive changes (new optional fields) keep the major
version; anything that changes the meaning of an existing field bumps it. Readers accept any
``gpuatlas.result/1`` file and ignore nothing silently: unknown top-level fields are errors.

Conventions:
- per-metric summaries (``metrics``) hold ``{median, mean, p90, p99, n, ci_low, ci_high}``;
  per-request metrics (``ttft_ms``, ``tpot_ms``, ``e2e_ms``, ...) pool the requests of every
  repeat (``n`` = requests; ``itl_ms`` is token-weighted, ``n`` = gaps); run-level metrics
  (``output_tok_s``, ``request_s``, ...) have one value per repeat (``n`` = repeats);
  ``ci_low``/``ci_high`` bound the 95 % interval of the median (gpuatlas.statistics: seeded
  bootstrap, or the order-statistic interval for token-weighted samples);
- percentiles use numpy's linear interpolation (a token-weighted sample: the same, over every
  token's gap);
- ``headline`` is the one number comparisons use; its ``metric`` names an entry of ``metrics``;
  ``value`` is null, with a ``reason``, when nothing was measured (no successful request);
- ``comparable`` is false (``not_comparable_reasons`` say why) for a run with no headline, more
  than 5 % failed requests, or an interruption (gpuatlas.records.validity): kept, never pooled;
- ``benchmark`` is a suite id only when the run matched the suite's definition; otherwise a
  ``custom-...`` id derived from the run's own settings (gpuatlas.bench.identity), and
  ``settings.extra.based_on`` / ``differences`` say which definition it started from;
- timestamps inside samples are milliseconds relative to the start of their repeat.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import DataFileError

SCHEMA_VERSION = "gpuatlas.result/1"
SCHEMA_FAMILY = "gpuatlas.result/"
SUPPORTED_MAJOR_VERSIONS = ("1",)
IMPORT_HINT = " (another tool's output? convert it with `gpuatlas bench import`)"

CategoryId = Literal["llm-serving", "llm-single", "image", "vision", "ocr", "gpu-micro", "system"]


class _Strict(BaseModel):
    # defer_build: validators are built on first use, not at import (a report that only reads
    # stored summaries imports this module and never validates a result)
    model_config = ConfigDict(extra="forbid", defer_build=True)


class GpuInfo(_Strict):
    """One GPU as NVML reports it (None where NVML does not say)."""

    index: int = 0
    name: str
    uuid: str | None = None
    memory_mb: int | None = None
    driver: str | None = None
    cuda: str | None = None
    power_limit_w: float | None = None
    sm_clock_max_mhz: int | None = None
    memory_clock_max_mhz: int | None = None
    pcie_generation: int | None = None
    pcie_width: int | None = None
    ecc_enabled: bool | None = None
    mig_enabled: bool | None = None


class EngineInfo(_Strict):
    """The inference engine as the server reports itself (``None`` fields: it did not say)."""

    name: str | None = None
    version: str | None = None
    reported_by: str | None = None  # the endpoint path that answered, e.g. "/version"
    details: dict[str, Any] = Field(default_factory=dict)


class Fingerprint(_Strict):
    """Hardware and software the result was measured on."""

    gpus: list[GpuInfo] = Field(default_factory=list)
    gpu_note: str | None = None  # e.g. "no NVIDIA GPU (NVML not available)"
    cpu_model: str | None = None
    cpu_cores_physical: int | None = None
    cpu_cores_logical: int | None = None
    ram_gb: float | None = None
    os: str | None = None
    kernel: str | None = None
    python: str | None = None
    hostname_hash: str | None = None  # sha256 prefix; the host name itself is not stored
    engine: EngineInfo | None = None
    tools: dict[str, str] = Field(default_factory=dict)  # package -> version


class Settings(_Strict):
    """What was asked for. Fields a benchmark does not use stay None."""

    endpoint: str | None = None
    api: str | None = None  # openai-completions | openai-chat | ollama-generate | ollama-chat
    model: str | None = None
    concurrency: int | None = None
    rate_rps: float | None = None
    arrival: str | None = None  # concurrency | poisson | constant
    seed: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    requests: int | None = None
    duration_s: float | None = None
    warmup_requests: int | None = None
    repeats: int | None = None
    timeout_s: float | None = None
    ignore_eos: bool | None = None
    batch_size: int | None = None
    width: int | None = None
    height: int | None = None
    steps: int | None = None
    dtype: str | None = None
    device: str | None = None
    slo_ttft_ms: float | None = None
    slo_tpot_ms: float | None = None
    slo_e2e_ms: float | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class Headline(_Strict):
    """The one number a comparison uses."""

    metric: str
    unit: str
    higher_is_better: bool
    value: float | None  # None when the run produced no valid measurement
    reason: str | None = None  # why value is None (e.g. "no successful request")
    ci_low: float | None = None
    ci_high: float | None = None


class MetricSummary(_Strict):
    median: float | None
    mean: float | None
    p90: float | None
    p99: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    unit: str | None = None
    p99_sufficient: bool | None = None  # False when n is too small for a p99 (MLPerf: n < 662)


class Sample(_Strict):
    """One request (LLM, vision) or one timed item/iteration (image, OCR, micro, system)."""

    repeat: int = 0
    index: int = 0
    ok: bool = True
    error_kind: str | None = None  # http_error | timeout | connect_error | malformed | truncated
    error: str | None = None
    warmup: bool = False
    in_steady_state: bool | None = None
    scheduled_ms: float | None = None
    send_lag_ms: float | None = None
    ttfb_ms: float | None = None
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    e2e_ms: float | None = None
    end_ms: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    token_events: int | None = None
    finish_reason: str | None = None
    values: dict[str, float] = Field(default_factory=dict)  # other per-sample measurements


class RepeatSummary(_Strict):
    index: int
    duration_s: float
    completed: int
    failed: int
    values: dict[str, float] = Field(default_factory=dict)  # run-level metrics of this repeat


class Energy(_Strict):
    source: str  # "nvml"
    joules: float
    mean_power_w: float
    samples: int
    joules_per_token: float | None = None
    joules_per_item: float | None = None


class BenchResult(_Strict):
    schema_version: str = SCHEMA_VERSION
    result_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    benchmark: str
    benchmark_version: int
    category: CategoryId
    created_at: str = Field(default_factory=lambda: utc_now_iso())
    gpu_id: str | None = None
    gpu_count: int = 0
    fingerprint: Fingerprint = Field(default_factory=Fingerprint)
    settings: Settings = Field(default_factory=Settings)
    headline: Headline
    metrics: dict[str, MetricSummary] = Field(default_factory=dict)
    samples: list[Sample] = Field(default_factory=list)
    repeats: list[RepeatSummary] = Field(default_factory=list)
    failures: dict[str, int] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    energy: Energy | None = None
    token_count_source: str | None = None  # usage | ollama-eval-count | stream-events | ...
    interrupted: bool = False  # True when stopped by the user; what was measured is kept
    comparable: bool = True  # False: kept and shown, never pooled (records/validity.py)
    not_comparable_reasons: list[str] = Field(default_factory=list)
    source: str = "gpuatlas bench"


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def resolve_gpu_id(gpu_name: str | None) -> str | None:
    """Catalog id for an NVML GPU name, or None (unknown or ambiguous GPU)."""
    if not gpu_name:
        return None
    try:
        gpu_id = getattr(resolve_gpu(gpu_name), "id", None)
    except Exception:  # noqa: BLE001 - unknown or ambiguous names leave the id unresolved
        return None
    return str(gpu_id) if gpu_id else None


def result_json_schema() -> dict[str, Any]:
    """The JSON Schema of a result file (``gpuatlas bench schema``)."""
    schema = BenchResult.model_json_schema()
    schema["$id"] = SCHEMA_VERSION
    schema["title"] = "GPU Atlas benchmark result"
    return schema


def dump_result(result: BenchResult, path: str | Path) -> Path:
    """Write a result file (UTF-8, indented JSON); returns the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result_to_json(result) + "\n", encoding="utf-8")
    return target


def result_to_json(result: BenchResult) -> str:
    return json.dumps(result.model_dump(mode="json"), indent=2)


def load_result(path: str | Path) -> BenchResult:
    """Read and validate a result file; DataFileError lists every bad field."""
    source = Path(path)
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise DataFileError(str(source), [f"cannot read file: {error.strerror}"]) from None
    except json.JSONDecodeError as error:
        problem = f"line {error.lineno}: not valid JSON ({error.msg})"
        raise DataFileError(str(source), [problem]) from None
    return parse_result(raw, str(source))


def parse_result(raw: object, origin: str = "<result>") -> BenchResult:
    """Validate an already-decoded result document."""
    if not isinstance(raw, dict):
        raise DataFileError(origin, [f"top level: expected a JSON object{IMPORT_HINT}"])
    version_problem = _schema_version_problem(raw.get("schema_version"))
    if version_problem:
        raise DataFileError(origin, [version_problem])
    try:
        return BenchResult.model_validate(raw)
    except ValidationError as error:
        raise DataFileError(origin, _describe_validation_errors(error)) from None


def _schema_version_problem(version: object) -> str | None:
    if not isinstance(version, str) or not version.startswith(SCHEMA_FAMILY):
        return f"field schema_version: expected {SCHEMA_VERSION!r}, got {version!r}{IMPORT_HINT}"
    major = version.removeprefix(SCHEMA_FAMILY).split(".")[0]
    if major not in SUPPORTED_MAJOR_VERSIONS:
        return f"field schema_version: unsupported version {version!r} (this reader: 1)"
    return None


def _describe_validation_errors(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "top level"
        problems.append(f"field {field}: {item['msg']}")
    return problems
