"""Modelled stand-ins for a benchmark measured on one side only (issue 5, item 11).

A stored benchmark key names the engine, model, weights, shape and metric
('public/llama.cpp/meta-llama/Meta-Llama-3-8B/q4_k_m/b1-tg512-kv-f16/decode_tok_s'); where the
estimator covers that configuration, its prediction (with its range) stands in for the
missing side — always labelled as modelled, never used for a verdict."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import GpuAtlasError

_SHAPE_NUMBER = re.compile(r"(tg|pp)(\d+)")
_RESOLUTION = re.compile(r"(\d+)x(\d+)")
_STEPS = re.compile(r"(\d+)steps")
DIFFUSION_ENGINES = frozenset({"diffusers", "tensorrt", "pytorch"})


@dataclass(frozen=True)
class BenchmarkKey:
    engine: str
    model: str
    weights: str
    shape: str
    metric: str


def parse_key(benchmark: str) -> BenchmarkKey | None:
    parts = benchmark.split("@")[0].removeprefix("public/").split("/")
    if parts and re.fullmatch(r"v\d+", parts[-1]):
        parts = parts[:-1]
    if len(parts) < 5:
        return None
    return BenchmarkKey(parts[0], "/".join(parts[1:-3]), parts[-3], parts[-2], parts[-1])


def _shape_tokens(shape: str, kind: str) -> int | None:
    for found_kind, number in _SHAPE_NUMBER.findall(shape):
        if found_kind == kind:
            return int(number)
    return None


def _llm(key: BenchmarkKey) -> Callable[[GpuSystem], Any] | None:
    from gpuatlas.performance.api import predict_llm

    if not key.shape.startswith("b1"):
        return None
    tokens = _shape_tokens(key.shape, "tg" if key.metric == "decode_tok_s" else "pp")
    if key.metric == "decode_tok_s":
        return lambda s: (
            predict_llm(
                s,
                key.model,
                key.weights,
                key.engine,
                batch=1,
                input_tokens=128,
                output_tokens=tokens or 128,
            ).decode_tok_s
        )
    if key.metric in ("prefill_tok_s", "ttft_ms") and tokens:
        attribute = key.metric
        return lambda s: getattr(
            predict_llm(
                s, key.model, key.weights, key.engine, batch=1, input_tokens=tokens, output_tokens=1
            ),
            attribute,
        )
    return None


def _diffusion(key: BenchmarkKey) -> Callable[[GpuSystem], Any] | None:
    from gpuatlas.performance.api import predict_diffusion

    if key.metric != "image_s" or not key.shape.startswith("b1"):
        return None
    resolution = _RESOLUTION.search(key.shape)
    steps = _STEPS.search(key.shape)
    return lambda s: (
        predict_diffusion(
            s,
            key.model,
            resolution=int(resolution.group(1)) if resolution else None,
            steps=int(steps.group(1)) if steps else None,
        ).s_per_image
    )


def predictor(benchmark: str) -> Callable[[GpuSystem], Any] | None:
    key = parse_key(benchmark)
    if key is None:
        return None
    return _diffusion(key) if key.engine in DIFFUSION_ENGINES else _llm(key)


def stand_in(benchmark: str, system: GpuSystem) -> Any | None:
    """The estimator's Estimate for this benchmark on `system`, or None where it has none."""
    try:
        predict = predictor(benchmark)
        return predict(system) if predict else None
    except (GpuAtlasError, ValueError, KeyError, ImportError):
        return None
