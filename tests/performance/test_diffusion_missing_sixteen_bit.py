"""A 16-bit pipeline on a GPU without a rate for that dtype: bf16 before Ampere (no bf16 tensor
cores before compute capability 8.0), fp16 on Pascal GP102-GP107 (1/64 of FP32). PyTorch's half
and bf16 GEMMs compute in fp32 inside cuBLAS (CUBLAS_COMPUTE_32F), so the math runs at most at
the FP32 (CUDA-core) rate, never at the fp16 tensor rate."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.performance import api
from gpuatlas.performance.media.diffusion import diffusion_work
from gpuatlas.performance.media.pipeline_compute import (
    SIXTEEN_BIT_IN_FP32_MATH,
    convolution_and_matmul_peaks,
    pipeline_precision,
)
from gpuatlas.performance.resolve import as_diffusion, as_system
from gpuatlas.performance.sustained_clocks import sustained_clock_share

# NVIDIA V100 datasheet (SXM2): 15.7 TFLOPS FP32, 125 TFLOPS tensor (fp16); no bf16.
V100_FP32_TFLOPS = 15.7
V100_FP16_TENSOR_TFLOPS = 125.0
# NVIDIA Tesla P40 datasheet: 12 TFLOPS FP32 (3,840 cores x 2 x 1.531 GHz = 11.76); GP102's
# fp16 rate is 1/64 of that (0.18 TFLOPS), which no framework uses for its GEMMs.
P40_FP32_TFLOPS = 12.0


def _precision(gpu_id: str, weights: str) -> str:
    gpu = as_system(gpu_id).gpu
    return pipeline_precision(resolve_format(weights), gpu, "diffusers", False).name


def test_the_catalog_holds_the_datasheet_rates() -> None:
    v100 = as_system("v100-32gb-sxm2").gpu
    assert v100.fp32_tflops == pytest.approx(V100_FP32_TFLOPS)
    assert v100.dense_tflops("fp16") == pytest.approx(V100_FP16_TENSOR_TFLOPS)
    assert not v100.dense_tflops("bf16")
    p40 = as_system("p40").gpu
    assert p40.fp32_tflops == pytest.approx(P40_FP32_TFLOPS)
    assert not p40.dense_tflops("fp16")


@pytest.mark.parametrize(
    ("gpu_id", "weights"),
    [("v100-32gb-sxm2", "bf16"), ("t4", "bf16"), ("p40", "fp16"), ("p40", "bf16")],
)
def test_a_dtype_without_a_rate_computes_in_fp32_math(gpu_id: str, weights: str) -> None:
    assert _precision(gpu_id, weights) == SIXTEEN_BIT_IN_FP32_MATH


@pytest.mark.parametrize(
    ("gpu_id", "weights"),
    # fp16 tensor cores on Volta/Turing; GP100 runs fp16 at twice FP32; bf16 from Ampere
    [("v100-32gb-sxm2", "fp16"), ("t4", "fp16"), ("p100-sxm2", "fp16"), ("a100-80gb-sxm", "bf16")],
)
def test_a_dtype_with_a_rate_keeps_it(gpu_id: str, weights: str) -> None:
    assert _precision(gpu_id, weights) == "16bit"


def test_bf16_on_a_v100_runs_at_the_fp32_rate_not_the_fp16_tensor_rate() -> None:
    gpu = as_system("v100-32gb-sxm2").gpu
    precision = pipeline_precision(resolve_format("bf16"), gpu, "diffusers", False)
    share = sustained_clock_share(gpu)
    assert convolution_and_matmul_peaks(gpu, precision) == pytest.approx(
        (V100_FP32_TFLOPS * 1e12 * share, V100_FP32_TFLOPS * 1e12 * share)
    )


def test_flux_bf16_on_a_v100_takes_at_least_its_flops_at_the_fp32_rate() -> None:
    system, model = as_system("v100-32gb-sxm2"), as_diffusion("flux.1-dev")
    work = diffusion_work(system, model, resolution_px=1024, steps=50, batch=1, cfg=None)
    floor_s = work.steps * work.forward_flops / (V100_FP32_TFLOPS * 1e12)
    bf16 = api.predict_diffusion("v100-32gb-sxm2", "flux.1-dev", steps=50, weights="bf16")
    fp16 = api.predict_diffusion("v100-32gb-sxm2", "flux.1-dev", steps=50, weights="fp16")
    assert bf16.s_per_image.value >= floor_s
    # the fp16 pipeline reaches the tensor cores (8x the FP32 rate): far faster
    assert fp16.s_per_image.value < bf16.s_per_image.value / 2


def test_the_answer_says_which_precision_it_computed_in_and_why() -> None:
    v100 = api.predict_diffusion("v100-32gb-sxm2", "flux.1-dev", steps=50, weights="bf16")
    note = " ".join(v100.s_per_image.notes)
    assert "no bf16 tensor cores" in note and "15.7 TFLOPS FP32" in note
    assert "torch.float16" in note and "125 TFLOPS" in note
    p40 = api.predict_diffusion("p40", "sd1.5", steps=20, weights="fp16")
    assert "1/64" in " ".join(p40.s_per_image.notes)


@pytest.mark.parametrize("weights", ["fp16", "bf16", "fp8"])
def test_comfyui_computes_in_fp32_on_pascal(weights: str) -> None:
    # comfy/model_management.py should_use_fp16: False for 'p40' and the 10-series on Linux
    for gpu_id in ("p40", "gtx-1080-ti", "p100-sxm2", "gtx-1660-ti"):
        gpu = as_system(gpu_id).gpu
        precision = pipeline_precision(resolve_format(weights), gpu, "comfyui", False)
        assert precision.name == "fp32"
        assert "ComfyUI computes in fp32" in precision.engine_choice
    # ComfyUI's GTX 16-series reason: 'FP16 is just broken on these cards'
    gtx_1660 = as_system("gtx-1660-ti").gpu
    found = pipeline_precision(resolve_format(weights), gtx_1660, "comfyui", False)
    assert "broken" in found.engine_choice


def test_comfyui_keeps_16_bits_from_volta_and_diffusers_on_pascal() -> None:
    for gpu_id in ("v100-32gb-sxm2", "rtx-2060"):  # Turing with tensor cores keeps 16 bits
        gpu = as_system(gpu_id).gpu
        assert pipeline_precision(resolve_format("fp16"), gpu, "comfyui", False).name == "16bit"
    p100 = as_system("p100-sxm2").gpu
    assert pipeline_precision(resolve_format("fp16"), p100, "diffusers", False).name == "16bit"


def test_the_comfyui_answer_says_it_computed_in_fp32() -> None:
    found = api.predict_diffusion("p40", "sd1.5", steps=20, weights="fp16", engine="comfyui")
    assert any("ComfyUI computes in fp32" in note for note in found.s_per_image.notes)
