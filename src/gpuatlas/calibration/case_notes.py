"""Batch mode: what a file of cases was predicted with and what was chosen for its rows, said
once per file (the CSV answer's stderr notes, the JSON answer's fields).

- the calibration version (`performance` calibration.json) and, per metric, its unit and the
  prediction model;
- the weight format of every row that leaves `weights` empty or 'auto' (the GGUF build Ollama
  or llama.cpp runs, the format a checkpoint's name fixes, else fp16);
- serving rows on several GPUs that state no layout (the best one, as `predict serving`);
- training rows on several GPUs that state no sharding (every GPU holds the whole model, as
  `predict train --sharding none`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gpuatlas.calibration.case_files import (
    AUTO_WEIGHTS,
    named_checkpoint_format,
    unstated_build,
    unstated_format,
)
from gpuatlas.calibration.case_training import TRAIN_METRIC, training_words
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.llm.step_times import MODEL_NAME as LLM_MODEL
from gpuatlas.performance.media.diffusion import MODEL_NAME as DIFFUSION_MODEL
from gpuatlas.performance.training.speed import MODEL_NAME as TRAINING_MODEL
from gpuatlas.performance.training.variants import REPLICA_WORDS, SHARDING_WORDS

SERVING_METRIC = "serving_output_tok_s"
# metric -> (unit, prediction model); images_per_min of a vision-language model is the LLM's
METRIC_PROVENANCE = {
    "prefill_tok_s": ("tok/s", LLM_MODEL),
    "decode_tok_s": ("tok/s", LLM_MODEL),
    "serving_output_tok_s": ("tok/s", LLM_MODEL),
    "ttft_ms": ("ms", LLM_MODEL),
    "tpot_ms": ("ms", LLM_MODEL),
    "image_s": ("s/image", DIFFUSION_MODEL),
    "images_per_min": ("images/min", f"{DIFFUSION_MODEL} (vision-language models: {LLM_MODEL})"),
    "train_tok_s": ("tok/s", TRAINING_MODEL),
}
_COUNTED_SYSTEM = re.compile(r"^\s*(\d+)\s*[x×]", re.IGNORECASE)


@dataclass(frozen=True)
class CaseNotes:
    calibration_version: str
    metrics: dict[str, dict[str, str]]
    weights_assumed: list[dict[str, str]]
    layout_assumed_rows: int
    sharding_assumed_rows: int

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "calibration_version": self.calibration_version,
            "metrics": self.metrics,
        }
        if self.weights_assumed:
            found["weights_assumed"] = self.weights_assumed
        if self.layout_assumed_rows:
            found["layout_assumed"] = _layout_text(self.layout_assumed_rows)
        if self.sharding_assumed_rows:
            found["sharding_assumed"] = _sharding_text(self.sharding_assumed_rows)
        return found

    def lines(self) -> list[str]:
        """The CSV answer's stderr notes."""
        units = ", ".join(f"{name} {entry['unit']}" for name, entry in self.metrics.items())
        found = [f"predicted with calibration {self.calibration_version}"]
        if units:
            found[0] += f"; units: {units}"
        found += [
            f"weights empty or auto: {entry['model']} on {entry['engine'] or 'vllm'} predicted "
            f"as {entry['weights']} ({entry['reason']})"
            for entry in self.weights_assumed
        ]
        if self.layout_assumed_rows:
            found.append(_layout_text(self.layout_assumed_rows))
        if self.sharding_assumed_rows:
            found.append(_sharding_text(self.sharding_assumed_rows))
        return found


def _rows(rows: int, kind: str) -> str:
    """'1 serving row', '3 serving rows'."""
    return f"{rows:,} {kind} row{'' if rows == 1 else 's'}"


def _layout_text(rows: int) -> str:
    return (
        f"{_rows(rows, 'serving')} on several GPUs state{'s' if rows == 1 else ''} no layout: "
        "predicted in the best layout "
        "(replicas where the model fits one GPU, as `predict serving`); write layout 'tensor' "
        "for one tensor-parallel replica over all of them"
    )


def _sharding_text(rows: int) -> str:
    return (
        f"{_rows(rows, 'training')} on several GPUs state{'s' if rows == 1 else ''} no "
        "sharding: predicted data parallel, "
        "every GPU holding the whole model (`predict train`'s --sharding none); write fsdp, "
        "zero1, zero2 or zero3 in variant to shard"
    )


def case_notes(columns: Mapping[str, Sequence[str]], size: int) -> CaseNotes:
    """The notes of a file's cases given as columns (name -> its texts, `size` each; a
    column the file lacks may be absent). Rows are counted once per distinct combination of
    the fields a note reads (a file repeats a few)."""
    empty = [""] * size
    fields = ("metric", "gpu", "gpu_count", "layout", "variant")
    combinations = Counter(zip(*(columns.get(name, empty) for name in fields), strict=True))
    metrics = {metric.strip().lower() for metric, *_ in combinations}
    layout_rows = sharding_rows = 0
    for (metric, gpu, count, layout, variant), rows in combinations.items():
        name = metric.strip().lower()
        if name not in (SERVING_METRIC, TRAIN_METRIC) or _gpu_count(gpu, count) < 2:
            continue
        if name == SERVING_METRIC and not layout.strip():
            layout_rows += rows
        elif name == TRAIN_METRIC and not _states_sharding(variant):
            sharding_rows += rows
    return CaseNotes(
        current_calibration().version,
        {name: _provenance(name) for name in METRIC_PROVENANCE if name in metrics},
        weights_assumptions(columns, size),
        layout_rows,
        sharding_rows,
    )


def _provenance(metric: str) -> dict[str, str]:
    unit, model = METRIC_PROVENANCE[metric]
    return {"unit": unit, "prediction_model": model}


def _gpu_count(gpu: str, count: str) -> int:
    """A row's GPU count as case_system reads it (a count over 1 wins, else the system
    text's own, '4x rtx-4090'); 0 where the count is not a number."""
    read = _count(count)
    return read if read != 1 else _system_count(gpu)


def _count(text: str) -> int:
    try:
        return int(float(text)) if text.strip() else 1
    except (ValueError, OverflowError):
        return 0


def _system_count(gpu: str) -> int:
    found = _COUNTED_SYSTEM.match(gpu)
    return int(found.group(1)) if found else 1


def _states_sharding(variant: str) -> bool:
    return bool(set(training_words(variant)) & (set(SHARDING_WORDS) | REPLICA_WORDS))


def weights_assumptions(columns: Mapping[str, Sequence[str]], size: int) -> list[dict[str, str]]:
    """One entry per distinct model and engine of the rows that leave `weights` empty or write
    'auto': the format predicted and why."""
    empty = [""] * size
    names = ("model", "weights", "engine", "metric")
    written = set(zip(*(columns.get(name, empty) for name in names), strict=True))
    pairs = {
        (model.strip(), engine.strip(), metric.strip().lower() == TRAIN_METRIC)
        for model, weights, engine, metric in written
        if weights.strip().lower() in ("", AUTO_WEIGHTS) and model.strip()
    }
    found = (
        _training_assumed(model, engine) if training else _assumed(model, engine)
        for model, engine, training in sorted(pairs)
    )
    return [entry for entry in found if entry is not None]


TRAINING_PRECISION_REASON = (
    "the training precision: bf16 where the GPU has bf16 tensor cores, else fp16 (as "
    "`predict train --precision auto`; write bf16, fp16, fp32 or fp8 to choose one)"
)


def _training_assumed(model: str, engine: str) -> dict[str, str]:
    """A training row without weights trains in `predict train`'s auto precision (it was
    noted as fp16 while it trained in bf16, and a T4 row priced bf16 in fp32 math)."""
    return {
        "model": model,
        "engine": engine,
        "weights": "bf16 or fp16",
        "reason": TRAINING_PRECISION_REASON,
    }


def _assumed(model: str, engine: str) -> dict[str, str] | None:
    """The format a row of this model and engine without weights is predicted in, and why;
    None for a model name that does not resolve (the row's error says so)."""
    try:
        resolve_model_reference(model, allow_hub=False)
    except GpuAtlasError:
        return None
    build = unstated_build(model, engine)
    if build is not None:
        reason = build.reason
    elif named_checkpoint_format(model):
        reason = "the format the checkpoint's name fixes"
    else:
        reason = "no format in the model's name: fp16 (write the weights to choose one)"
    entry = {"model": model, "engine": engine, "weights": unstated_format(model, engine)}
    return {**entry, "reason": reason}
