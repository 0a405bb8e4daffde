"""The default database's content: the public measured data set and the project's own runs.

Each public row becomes one stored result (n = 1) under a benchmark key derived from its
configuration, e.g. ``public/llama.cpp/meta-llama/Meta-Llama-3-8B/q4_k_m/b1-tg512/decode_tok_s``,
with its source and date kept. Rows of one file that share a GPU and a configuration but differ
in something the columns do not capture (e.g. with and without torch.compile) get ``/v2``, ...
in order of appearance.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from gpuatlas.catalog.measurements import MeasuredRow, all_measurements

PUBLIC_SCHEMA = "gpuatlas.public-measurement/1"
PUBLIC_PREFIX = "public/"
SINGLE_STREAM_METRICS = frozenset({"decode_tok_s", "prefill_tok_s", "ttft_ms", "tpot_ms"})


def public_benchmark_key(row: MeasuredRow) -> str:
    parts = [row.engine, row.model, row.weights, _shape(row), row.metric]
    return PUBLIC_PREFIX + "/".join(part.replace(" ", "_") for part in parts)


def _shape(row: MeasuredRow) -> str:
    pieces = [f"b{row.batch}" if row.batch is not None else "b?"]
    if row.metric in {"prefill_tok_s", "ttft_ms"} and row.input_tokens:
        pieces.append(f"pp{row.input_tokens}")
    elif row.metric == "decode_tok_s" and row.output_tokens:
        pieces.append(f"tg{row.output_tokens}")
    elif row.input_tokens is not None or row.output_tokens is not None:
        pieces.append(f"in{row.input_tokens or 0}-out{row.output_tokens or 0}")
    if row.resolution:
        pieces.append(row.resolution)
    if row.steps:
        pieces.append(f"{row.steps}steps")
    if row.kv_cache:
        pieces.append(f"kv-{row.kv_cache}")
    return "-".join(pieces)


def public_category(row: MeasuredRow) -> str:
    if row.metric == "train_tok_s":
        return "training"
    if row.metric in {"image_s", "images_per_min"}:
        return "vision" if _model_kind(row.model) in {"vlm", "ocr"} else "image"
    if row.metric in SINGLE_STREAM_METRICS and row.batch == 1:
        return "llm-single"
    return "llm-serving"


def _model_kind(model: str) -> str | None:
    from gpuatlas.catalog.models import resolve_model

    try:
        return str(resolve_model(model, allow_hub=False).kind)
    except Exception:  # noqa: BLE001 - an unknown model simply has no kind
        return "vlm" if "llava" in model.lower() else None


def public_rows(received_at: datetime | None = None) -> list[dict[str, Any]]:
    """Table rows for the whole packaged data set."""
    when = received_at or datetime.now(UTC)
    measurements = all_measurements()
    return [
        _row(row, key, when)
        for row, key in zip(measurements, _unique_keys(measurements), strict=True)
    ]


def _unique_keys(rows: Iterable[MeasuredRow]) -> list[str]:
    seen: Counter[tuple[str, str, str, int]] = Counter()
    keys = []
    for row in rows:
        key = public_benchmark_key(row)
        seen[(row.file, key, row.gpu, row.gpu_count)] += 1
        ordinal = seen[(row.file, key, row.gpu, row.gpu_count)]
        keys.append(key if ordinal == 1 else f"{key}/v{ordinal}")
    return keys


def _row(row: MeasuredRow, key: str, received_at: datetime) -> dict[str, Any]:
    settings = {
        "engine": row.engine, "engine_version": row.engine_version, "model": row.model,
        "weights": row.weights, "kv_cache": row.kv_cache, "batch": row.batch,
        "input_tokens": row.input_tokens, "output_tokens": row.output_tokens,
        "resolution": row.resolution, "steps": row.steps, "notes": row.notes,
    }
    return {
        "result_id": public_result_id(row), "schema_version": PUBLIC_SCHEMA,
        "benchmark": key, "benchmark_version": 1, "category": public_category(row),
        "gpu_id": row.gpu, "gpu_count": row.gpu_count, "gpu_name": None,
        "metric": row.metric, "unit": row.unit, "higher_is_better": row.higher_is_better,
        "value": row.value, "ci_low": None, "ci_high": None,
        "created_at": row.source_date or "undated", "source": row.source,
        "source_date": row.source_date, "origin": "public", "agent": None,
        "received_at": received_at, "quarantined": False, "quarantine_reasons": [],
        "released_at": None, "fingerprint": {"data_set_row": row.row_id},
        "settings": settings, "metrics": {row.metric: {"median": row.value, "n": 1}},
        "samples": [], "details": {"warnings": [], "failures": {}},
    }


def public_result_id(row: MeasuredRow) -> str:
    identity = "|".join(str(part) for part in (
        row.file, row.line, row.gpu, row.gpu_count, row.engine, row.engine_version, row.model,
        row.weights, row.batch, row.input_tokens, row.output_tokens, row.resolution,
        row.steps, row.metric, row.value, row.source,
    ))
    return "public-" + hashlib.sha256(identity.encode()).hexdigest()[:32]


def data_set_fingerprint() -> str:
    """Changes whenever the packaged data set (or the project's runs) changes."""
    digest = hashlib.sha256()
    for row_id in sorted(public_result_id(row) for row in all_measurements()):
        digest.update(row_id.encode())
    for path in project_result_files():
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:32]


def project_result_files() -> list[Path]:
    """Result files of the project's own runs, committed under ``store/data/results/``."""
    folder = Path(str(resources.files("gpuatlas.store"))) / "data" / "results"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []
