"""TensorRT-LLM's TensorRT-engine releases (0.8-0.21) are a generation of their own."""

from __future__ import annotations

import pytest

from gpuatlas.performance.api import max_serving_batch
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import engine_for_version


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.7.1", "tensorrt-llm-0.x"),  # static batching (gptSessionBenchmark tables)
        ("0.8.0", "tensorrt-llm-trt-engine"),  # in-flight batching over TensorRT engines
        ("0.12.0", "tensorrt-llm-trt-engine"),
        ("0.21.0", "tensorrt-llm-trt-engine"),
        ("1.0 (PyTorch backend)", "tensorrt-llm"),  # PyTorch executor, the default from 1.0
        ("1.1.0", "tensorrt-llm"),
        (None, "tensorrt-llm"),  # no version: the current release
    ],
)
def test_a_release_picks_its_backend_generation(version: str | None, expected: str) -> None:
    assert engine_for_version("tensorrt-llm", version) == expected


def test_the_engine_generation_keeps_the_current_profile_as_its_fallback() -> None:
    profile = resolve_engine("tensorrt-llm-trt-engine")
    assert profile.family == "tensorrt-llm"
    assert profile.calibrate_from == "tensorrt-llm"
    # trtllm-bench build caps the engine's batch at 4096 requests (bench/build/tuning.py)
    assert profile.max_batch == 4096


def test_trtllm_bench_engines_hold_as_many_requests_as_the_kv_cache_allows() -> None:
    # Llama 3 8B FP8 on one H100 at 128/128: ~72 GB of KV at 64 KiB per token (FP8 KV,
    # 32 layers x 8 KV heads x 128 x 2) holds ~4,000 requests of 256 tokens, more than the
    # 2,048 of the 1.0 profile's max_batch_size; the 0.x engines run all of them.
    engine_batch = max_serving_batch(
        "h100-sxm",
        "meta-llama/Meta-Llama-3-8B",
        "fp8",
        "tensorrt-llm 0.12.0",
        context_tokens=256,
        kv_cache="fp8",
    )
    pytorch_batch = max_serving_batch(
        "h100-sxm",
        "meta-llama/Meta-Llama-3-8B",
        "fp8",
        "tensorrt-llm 1.0",
        context_tokens=256,
        kv_cache="fp8",
    )
    assert pytorch_batch == 2048
    assert 3500 <= engine_batch <= 4096
