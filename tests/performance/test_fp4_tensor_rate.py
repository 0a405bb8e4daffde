"""NVFP4 (W4A4) matmuls run at the FP4 tensor rate on Blackwell; MXFP4 checkpoints (gpt-oss)
keep 8-bit activations and run at the FP8 rate; other GPUs fall back as before."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import all_gpus, gpu_by_id
from gpuatlas.performance.peak_rates import compute_precision, peak_flops

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("gpu_id", "fp4_dense_tflops"),
    [
        ("b200", 9000.0),  # datasheet: FP4 18 PF with sparsity
        ("gb200", 10000.0),  # GB200 NVL72 datasheet: FP4 20 PF sparse per GPU
        ("b300", 13500.0),  # HGX B300: FP4 108 PF dense per 8 GPUs
        ("gb300", 15000.0),  # GB300 NVL72: FP4 1,080 PF dense per 72 GPUs
        ("rtx-5090", 1676.0),  # whitepaper: FP4 1,676 dense / 3,352 sparse ("AI TOPS")
        ("rtx-pro-6000-blackwell", 2015.2),  # 4 x FP16 503.8 ("4000 AI TOPS" sparse)
        ("dgx-spark-gb10", 500.0),  # "1 PFLOP FP4 with sparsity"
        ("jetson-agx-thor", 1035.0),  # 2,070 FP4 TFLOPS sparse
    ],
)
def test_blackwell_nvfp4_runs_at_the_datasheet_fp4_rate(
    gpu_id: str, fp4_dense_tflops: float
) -> None:
    gpu = gpu_by_id(gpu_id)
    precision = compute_precision(gpu, resolve_format("nvfp4"))
    assert peak_flops(gpu, precision) == (pytest.approx(fp4_dense_tflops * 1e12), "fp4")


def test_geforce_blackwell_fp4_is_four_times_its_fp32_accumulate_fp8_column() -> None:
    """GeForce Blackwell runs FP8 with FP32 accumulate at half rate but FP4 at full rate: the
    card's 'AI TOPS' headline (FP4 sparse) is 16x its FP16-with-FP32-accumulate figure."""
    for gpu_id in ("rtx-5060-ti-16gb", "rtx-5070", "rtx-5070-ti", "rtx-5080", "rtx-5090"):
        gpu = gpu_by_id(gpu_id)
        assert gpu.fp4_dense_tflops == pytest.approx(4 * (gpu.fp8_dense_tflops or 0), rel=0.002)


def test_every_blackwell_gpu_has_an_fp4_rate_and_no_other_gpu_does() -> None:
    for gpu in all_gpus():
        has_fp4 = gpu.fp4_dense_tflops is not None
        assert has_fp4 == (gpu.architecture_family == "blackwell"), gpu.id


def test_mxfp4_runs_w4a8_on_blackwell_and_bf16_on_hopper() -> None:
    mxfp4 = resolve_format("mxfp4")
    b200 = gpu_by_id("b200")
    assert peak_flops(b200, compute_precision(b200, mxfp4)) == (pytest.approx(4500e12), "fp8")
    h100 = gpu_by_id("h100-sxm")
    assert compute_precision(h100, mxfp4) == "bf16"


def test_nvfp4_on_hopper_computes_in_fp16() -> None:
    h100 = gpu_by_id("h100-sxm")
    assert peak_flops(h100, compute_precision(h100, resolve_format("nvfp4")))[1] == "fp16"
