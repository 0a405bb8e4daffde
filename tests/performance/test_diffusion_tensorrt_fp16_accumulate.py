"""TensorRT FP16 image engines accumulate in fp16: on GeForce cards they run at the full fp16
rate, twice the fp32-accumulate rate PyTorch pipelines reach there (issue 10)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.performance import api
from gpuatlas.performance.media.pipeline_compute import (
    convolution_and_matmul_peaks,
    pipeline_precision,
)
from gpuatlas.performance.resolve import as_format, as_system
from gpuatlas.performance.sustained_clocks import sustained_clock_share

pytestmark = pytest.mark.unit


def _peak(gpu_id: str, engine: str, weights: WeightFormat) -> float:
    gpu = as_system(gpu_id).gpu
    precision = pipeline_precision(weights, gpu, engine, tf32_matmul=False)
    return convolution_and_matmul_peaks(gpu, precision)[1]


def test_tensorrt_fp16_on_a_geforce_card_runs_at_the_fp16_accumulate_rate() -> None:
    gpu = as_system("rtx-4090").gpu
    share = sustained_clock_share(gpu)
    fp16 = as_format("fp16")
    # RTX 4090: 330.3 TFLOPS dense with fp16 accumulation, 165.2 with fp32 accumulation
    assert _peak("rtx-4090", "tensorrt", fp16) == pytest.approx(330.3e12 * share, rel=1e-3)
    assert _peak("rtx-4090", "diffusers", fp16) == pytest.approx(165.2e12 * share, rel=1e-3)
    # bf16 engines accumulate in fp32 whatever the engine
    assert _peak("rtx-4090", "tensorrt", as_format("bf16")) == _peak(
        "rtx-4090", "diffusers", as_format("bf16")
    )


def test_datacenter_parts_quote_one_16_bit_rate_for_both_accumulations() -> None:
    fp16 = as_format("fp16")
    for gpu_id in ("h100-sxm", "l40s", "a100-80gb-sxm"):
        assert _peak(gpu_id, "tensorrt", fp16) == _peak(gpu_id, "diffusers", fp16)


def test_the_prediction_says_tensorrt_fp16_accumulates_in_fp16() -> None:
    trt = api.predict_diffusion("rtx-4090", "sdxl", steps=30, engine="tensorrt", weights="fp16")
    assert any("accumulate in fp16" in note for note in trt.notes)
    eager = api.predict_diffusion("rtx-4090", "sdxl", steps=30, weights="fp16")
    assert not any("accumulate in fp16" in note for note in eager.notes)
