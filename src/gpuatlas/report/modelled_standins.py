"""Modelled stand-ins for a benchmark measured on one side only (issue 5, item 11).

A public benchmark carries its workload as values (engine, model, weights, batch, lengths,
image size and steps, metric: ``records.workload.Workload``, stored by the results store);
where the estimator covers that configuration, its prediction (with its range) stands in for
the missing side — always labelled as modelled, never used for a verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.api import predict_diffusion, predict_llm
from gpuatlas.records.workload import Workload

DIFFUSION_ENGINES = frozenset({"diffusers", "tensorrt", "pytorch"})
# The lengths a decode-rate stand-in assumes where the workload does not state them (llama-bench's
# tg128 states only the generated tokens).
DEFAULT_PROMPT_TOKENS = 128
DEFAULT_OUTPUT_TOKENS = 128


def _llm(workload: Workload) -> Callable[[GpuSystem], Any] | None:
    if not workload.single_stream:
        return None
    model, weights, engine = workload.model, workload.weights, workload.engine_label
    if workload.metric == "decode_tok_s":
        input_tokens = workload.input_tokens or DEFAULT_PROMPT_TOKENS
        output_tokens = workload.output_tokens or DEFAULT_OUTPUT_TOKENS
        return lambda s: (
            predict_llm(
                s,
                model,
                weights,
                engine,
                batch=1,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
            ).decode_tok_s
        )
    prompt_tokens = workload.input_tokens
    if workload.metric in ("prefill_tok_s", "ttft_ms") and prompt_tokens:
        attribute = workload.metric
        return lambda s: getattr(
            predict_llm(
                s, model, weights, engine, batch=1, input_tokens=prompt_tokens, output_tokens=1
            ),
            attribute,
        )
    return None


def _diffusion(workload: Workload) -> Callable[[GpuSystem], Any] | None:
    if workload.metric != "image_s" or not workload.single_stream:
        return None
    return lambda s: (
        predict_diffusion(
            s,
            workload.model,
            resolution=workload.image_width_px,
            steps=workload.steps,
        ).s_per_image
    )


def predictor(workload: Workload | None) -> Callable[[GpuSystem], Any] | None:
    if workload is None:
        return None
    if workload.engine_label in DIFFUSION_ENGINES:
        return _diffusion(workload)
    return _llm(workload)


def stand_in(workload: Workload | None, system: GpuSystem) -> Any | None:
    """The estimator's Estimate for this public benchmark's workload on `system`, or None
    where it has none (or the benchmark is not a public one)."""
    try:
        predict = predictor(workload)
        return predict(system) if predict else None
    except (GpuAtlasError, ValueError, KeyError, ImportError):
        return None
