"""vLLM on ROCm: the 2024 builds (releases before 0.6.4, undated posts of 2024) are their own
generation, calibrated on their own rows (engines.toml vllm-rocm-2024); AMD's builds from
2025 on (ROCm/vllm dev-docker, vLLM 0.6.6 and later) and a user naming no version get the
current profile."""

from __future__ import annotations

import pytest

from gpuatlas.calibration.fitting import case_from_row
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.engine_specs import engine_profile

MI300X = gpu_by_id("mi300x")


@pytest.mark.parametrize(
    ("version", "date", "profile"),
    [
        ("0.6.1", None, "vllm-rocm-2024"),  # a 2024 release
        ("0.6.3.dev114+g4f95ffee", "2024-10-07", "vllm-rocm-2024"),  # a source build of 2024
        (None, "2024", "vllm-rocm-2024"),  # a 2024 post naming no release (Oracle OCI)
        (
            "0.6.6 (rocm/vllm-dev:main of 2025-02, ROCm 6.3.1)",
            "2025-02-12",
            "vllm-rocm-pre-hybrid-kv",  # tuned builds, sliding layers still in full
        ),
        ("0.9.1", None, "vllm-rocm"),
        (None, None, "vllm-rocm"),  # a user naming no version gets the current builds
    ],
)
def test_rocm_vllm_generation_follows_the_release(
    version: str | None, date: str | None, profile: str
) -> None:
    assert engine_profile("vllm", MI300X, version, date).id == profile


def test_cuda_vllm_has_no_2024_rocm_generation() -> None:
    assert engine_profile("vllm", gpu_by_id("h100-sxm"), "0.6.1").id == "vllm-pre-hybrid-kv"


def test_packaged_2024_rows_calibrate_the_2024_generation() -> None:
    rows = [
        row
        for row in load_measurements()
        if row.gpu == "mi300x" and row.engine == "vllm" and row.metric == "serving_output_tok_s"
    ]
    engines = {case_from_row(row).engine for row in rows}
    assert {"vllm-rocm", "vllm-rocm-2024"} <= engines
    assert current_calibration().is_covered("serving:engine", "vllm-rocm-2024")


def test_2024_builds_serve_large_batches_slower() -> None:
    # AMD's 2025 builds run a static batch of 128 Llama 3.1 405B FP8 at TP8 in 56.7 ms per
    # step (ROCm/vllm dev-docker README, vLLM 0.6.6: 116.1 s for 2,048 tokens), the 2024 build
    # of Oracle's post in 80.8 ms (10.34 s for 128 tokens): the calibrated generations differ
    # the same way at high concurrency
    def served(engine: str) -> float:
        return api.serving_throughput(
            "8x mi300x",
            "llama-3.1-405b",
            "fp8",
            engine,
            concurrency=128,
            input_tokens=128,
            output_tokens=128,
            layout="tensor",
        ).value

    assert served("vllm 0.6.1") < 0.85 * served("vllm 0.9.1")
