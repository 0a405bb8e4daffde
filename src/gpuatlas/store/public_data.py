"""The default database's content: the public measured data set and the project's own runs.

Each public row becomes one stored result under the benchmark of its workload only (engine,
model, weights, batch and lengths or resolution and steps, KV-cache dtype, parallelism and
variant; never the GPU or the source: ``records.workload.Workload``), named e.g.
``public/llama.cpp/meta-llama/Llama-2-7b-hf/q4_0/b1-tg128-kv-f16/decode_tok_s``; the workload
itself is stored beside it as columns (``public_workloads``) and read back as values. So independent
sources that measured the same workload on the same system are several results (n > 1) of one
benchmark, each keeping its source, date and data-set row (``file:line``). Configurations that
are not equivalent (``torch.compile``, ``xformers``, ``static-batching``, ...) differ by the
data set's ``variant`` column, never by notes or file order. A row that repeats another row of
the same source (same system, workload and value) is a copy, not a second measurement: it is
stored once.

Categories follow the bench category ids: single-stream (batch 1) decode, prefill, TTFT and TPOT
are ``llm-single``; batched or serving rows ``llm-serving``; diffusion ``image``; VLM/OCR models
``vision``. Training throughput gets its own ``training`` category (the report titles it
"Training"; the Atlas Score gives it no weight, like every category its method does not list).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from gpuatlas.catalog.measurements import MeasuredRow, all_measurements
from gpuatlas.catalog.models import resolve_model
from gpuatlas.records.workload import UNSTATED_SPLIT, Workload

PUBLIC_SCHEMA = "gpuatlas.public-measurement/1"
# Bumped whenever benchmark keys, categories or stored workloads change: existing databases reload.
KEY_SCHEME = "public-keys/6"
SINGLE_STREAM_METRICS = frozenset({"decode_tok_s", "prefill_tok_s", "ttft_ms", "tpot_ms"})
IMAGE_METRICS = frozenset({"image_s", "images_per_min"})
TRAINING_CATEGORY = "training"


def public_workload(row: MeasuredRow) -> Workload:
    """What a row measured: equal for rows with equal workloads on any GPU."""
    width, height = _image_size_px(row.resolution)
    return Workload(
        engine=row.engine,
        model=row.model,
        weights=row.weights,
        metric=row.metric,
        backend=row.non_default_backend,
        batch=row.batch if isinstance(row.batch, int) else None,
        max_batch=row.batch == "max",
        input_tokens=row.input_tokens or None,
        output_tokens=row.output_tokens or None,
        image_width_px=width,
        image_height_px=height,
        steps=row.steps or None,
        kv_cache=row.kv_cache or None,
        split=(row.parallelism or UNSTATED_SPLIT) if row.gpu_count > 1 else None,
        variant=_variant(row),
    )


def _variant(row: MeasuredRow) -> str | None:
    """The row's variant; a llama.cpp/Ollama run with only some layers on the GPU (`-ngl`) is
    another configuration, named like the data set's other variants ('ngl40'), and so is a
    training run that accumulates gradients over several micro-steps ('ga2'), and so is a
    serving run of a fixed number of prompts ('n500': a finite run, not a steady state), and so
    is a llama-bench test at a depth ('d8192', as llama-bench writes 'pp512 @ d8192')."""
    parts = (row.variant, _gpu_layers(row), _accumulation(row), _requests(row), _depth(row))
    return "+".join(part for part in parts if part) or None


def _depth(row: MeasuredRow) -> str | None:
    return f"d{row.depth}" if row.depth else None


def _accumulation(row: MeasuredRow) -> str | None:
    steps = row.gradient_accumulation
    return None if steps is None or steps == 1 else f"ga{steps}"


def _requests(row: MeasuredRow) -> str | None:
    return None if row.requests is None else f"n{row.requests}"


def _gpu_layers(row: MeasuredRow) -> str | None:
    return None if row.gpu_layers is None else f"ngl{row.gpu_layers}"


def public_benchmark_key(row: MeasuredRow) -> str:
    """The benchmark a row measured (its workload's stored name)."""
    return public_workload(row).benchmark_name()


def _image_size_px(resolution: str | None) -> tuple[int | None, int | None]:
    """The data set's ``<width>x<height>`` column as numbers (validated by the catalog loader)."""
    if not resolution:
        return None, None
    width, height = resolution.lower().split("x")
    return int(width), int(height)


def public_workloads(rows: Iterable[MeasuredRow] | None = None) -> list[Workload]:
    """One workload per public benchmark of the packaged data set (or ``rows``)."""
    found = {public_benchmark_key(row): public_workload(row) for row in distinct_measurements(rows)}
    return [found[name] for name in sorted(found)]


def public_category(row: MeasuredRow) -> str:
    """The bench category id of a row (``training`` for training throughput)."""
    if row.metric == "train_tok_s":
        return TRAINING_CATEGORY
    if row.metric in IMAGE_METRICS:
        return "vision" if _model_kind(row.model) in {"vlm", "ocr"} else "image"
    if row.metric in SINGLE_STREAM_METRICS and row.batch == 1:
        return "llm-single"
    return "llm-serving"


def _model_kind(model: str) -> str | None:
    try:
        return str(resolve_model(model, allow_hub=False).kind)
    except Exception:  # noqa: BLE001 - an unknown model simply has no kind
        return "vlm" if "llava" in model.lower() else None


def public_rows(
    received_at: datetime | None = None, rows: Iterable[MeasuredRow] | None = None
) -> list[dict[str, Any]]:
    """Table rows for the packaged data set (or ``rows``), copies of a source's row once."""
    when = received_at or datetime.now(UTC)
    return [_row(row, public_benchmark_key(row), when) for row in distinct_measurements(rows)]


def distinct_measurements(rows: Iterable[MeasuredRow] | None = None) -> list[MeasuredRow]:
    """The rows minus copies: a row equal to an earlier one of the same source in system,
    workload and value repeats that number (e.g. one table quoted twice), so it is dropped."""
    seen: set[tuple[str, str, int, str, float]] = set()
    kept = []
    for row in all_measurements() if rows is None else rows:
        identity = (row.source, row.gpu, row.gpu_count, row.workload_key, row.value)
        if identity not in seen:
            seen.add(identity)
            kept.append(row)
    return kept


def _row(row: MeasuredRow, key: str, received_at: datetime) -> dict[str, Any]:
    settings = {
        "engine": row.engine,
        "engine_version": row.engine_version,
        "model": row.model,
        "weights": row.weights,
        "kv_cache": row.kv_cache,
        "batch": row.batch,
        "input_tokens": row.input_tokens,
        "output_tokens": row.output_tokens,
        "resolution": row.resolution,
        "steps": row.steps,
        "parallelism": row.parallelism,
        "variant": row.variant,
        "notes": row.notes,
    }
    return {
        "result_id": public_result_id(row),
        "schema_version": PUBLIC_SCHEMA,
        "benchmark": key,
        "benchmark_version": 1,
        "category": public_category(row),
        "gpu_id": row.gpu,
        "gpu_count": row.gpu_count,
        "gpu_name": None,
        "metric": row.metric,
        "unit": row.unit,
        "higher_is_better": row.higher_is_better,
        "value": row.value,
        "ci_low": None,
        "ci_high": None,
        "created_at": row.source_date or "undated",
        "source": row.source,
        "source_date": row.source_date,
        "origin": "public",
        "agent": None,
        "received_at": received_at,
        "quarantined": False,
        "quarantine_reasons": [],
        "released_at": None,
        "fingerprint": {"data_set_row": row.row_id},
        "settings": settings,
        "metrics": {row.metric: {"median": row.value, "n": 1}},
        "samples": [],
        "details": {"warnings": [], "failures": {}},
    }


def public_result_id(row: MeasuredRow) -> str:
    identity = "|".join(
        str(part)
        for part in (
            row.file,
            row.line,
            row.gpu,
            row.gpu_count,
            row.engine,
            row.engine_version,
            row.model,
            row.weights,
            row.batch,
            row.input_tokens,
            row.output_tokens,
            row.resolution,
            row.steps,
            row.metric,
            row.value,
            row.source,
            row.variant,
        )
    )
    return "public-" + hashlib.sha256(identity.encode()).hexdigest()[:32]


def data_set_fingerprint() -> str:
    """Changes whenever the packaged data set (or the project's runs) changes."""
    digest = hashlib.sha256(KEY_SCHEME.encode())
    for row_id in sorted(public_result_id(row) for row in distinct_measurements()):
        digest.update(row_id.encode())
    for path in project_result_files():
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:32]


def project_result_files() -> list[Path]:
    """Result files of the project's own runs, committed under ``store/data/results/``."""
    folder = Path(str(resources.files("gpuatlas.store"))) / "data" / "results"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []
