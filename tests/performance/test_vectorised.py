"""The vectorised path gives exactly the scalar path's values (and NaN where it errors)."""

from __future__ import annotations

import itertools
import math

from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.vectorised import VECTOR_METRICS, predict_llm_many

CONFIGS = [
    ("rtx-4090", 1, "llama-3-8b", "q4_k_m", "llama.cpp"),
    ("a100-80gb-sxm", 1, "llama-2-7b", "q4_0", "llama.cpp"),  # batch-1 share on HBM
    ("h100-sxm", 2, "llama-3.1-70b", "fp8", "vllm"),
    ("a100-80gb-sxm", 1, "qwen3-30b-a3b", "bf16", "sglang"),
    ("rtx-3090", 2, "gpt-oss-20b", "mxfp4", "llama.cpp"),
    ("16x h100-sxm", 1, "llama-3.1-405b", "bf16", "tensorrt-llm"),
]


def _scalar(case: Case) -> float:
    try:
        return predict_case(case).value
    except GpuAtlasError:
        return math.nan


def test_vectorised_matches_scalar() -> None:
    cases = [
        Case(gpu, count, model, weights, engine, batch, input_tokens, output_tokens, metric)
        for (
            gpu,
            count,
            model,
            weights,
            engine,
        ), batch, input_tokens, output_tokens, metric in itertools.product(
            CONFIGS, (1, 16, "max", 400), (0, 700), (1, 300), VECTOR_METRICS
        )
    ]
    vectorised = predict_llm_many(cases)
    predicted = 0
    for case, value in zip(cases, vectorised, strict=True):
        expected = _scalar(case)
        assert math.isnan(expected) == math.isnan(value), case
        if not math.isnan(expected):
            predicted += 1
            assert math.isclose(value, expected, rel_tol=1e-9), case
    assert predicted > len(cases) / 3


def test_vectorised_matches_scalar_over_random_catalog_configurations() -> None:
    """A broad property check: random GPUs x counts x models x formats x engines x KV caches,
    random batches (numbers, 'max', empty), lengths (empty included) and metrics."""
    import random

    from gpuatlas.catalog.gpus import all_gpus
    from gpuatlas.catalog.models import all_llms
    from gpuatlas.performance.engine_profiles import all_engines

    rng = random.Random(20261201)
    gpus = [g.id for g in all_gpus() if g.memory_bandwidth_gb_s and g.bf16_dense_tflops]
    models = [m.id for m in all_llms()]
    formats = ("fp16", "bf16", "fp8", "awq-int4", "q4_k_m", "q8_0", "mxfp4", "nvfp4")
    engines = [e.id for e in all_engines()]
    cases = []
    for _ in range(120):
        config = (
            rng.choice(gpus),
            rng.choice((1, 1, 2, 4, 8)),
            rng.choice(models),
            rng.choice(formats),
            rng.choice(engines),
            rng.choice(("fp16", "fp8", "auto")),
        )
        for _ in range(12):
            gpu, count, model, weights, engine, kv_cache = config
            cases.append(
                Case(
                    gpu,
                    count,
                    model,
                    weights,
                    engine,
                    rng.choice((1, 3, 32, 256, "max", None)),  # type: ignore[arg-type]
                    rng.choice((None, 0, 1, 700, 6000)),
                    rng.choice((None, 0, 1, 300)),
                    rng.choice(VECTOR_METRICS),
                    kv_cache=kv_cache,
                )
            )
    vectorised = predict_llm_many(cases)
    predicted = 0
    for case, value in zip(cases, vectorised, strict=True):
        expected = _scalar(case)
        assert math.isnan(expected) == math.isnan(value), case
        if not math.isnan(expected):
            predicted += 1
            assert math.isclose(value, expected, rel_tol=1e-9), case
    # random engine x format draws are mostly refused (an engine loads few formats); the
    # check must still compare well over a hundred predicted values
    assert predicted > len(cases) / 20
