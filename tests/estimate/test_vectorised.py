"""The vectorised path gives exactly the scalar path's values (and NaN where it errors)."""

from __future__ import annotations

import itertools
import math

from gpuatlas.errors import GpuAtlasError
from gpuatlas.estimate.cases import Case, predict_case
from gpuatlas.estimate.vectorised import VECTOR_METRICS, predict_llm_many

CONFIGS = [
    ("rtx-4090", 1, "llama-3-8b", "q4_k_m", "llama.cpp"),
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
        for (gpu, count, model, weights, engine), batch, input_tokens, output_tokens, metric
        in itertools.product(CONFIGS, (1, 16, "max", 400), (0, 700), (1, 300), VECTOR_METRICS)
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
