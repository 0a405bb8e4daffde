"""llama.cpp builds whose prompt GEMMs leave the matrix units idle (engines.toml
vector_alu_families): HIP on CDNA3 before the MFMA MMQ path (PR #14624) and on gfx1151 with
rocBLAS's untuned kernels, Vulkan before cooperative-matrix shaders (PRs #10206 / #10597) and
on Intel Xe1 (never enabled there; Xe2 from PR #14001). There the compute peak is the GPU's
non-tensor FP32 rate, not its dense fp16 matrix rate."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance.engine_specs import engine_profile

from .conftest import priors_runtime


@pytest.mark.parametrize(
    ("engine", "gpu", "profile"),
    [
        ("llama.cpp b3891", "mi300x", "llama.cpp-rocm-pre-mfma"),  # llm-tracker's 2024 MI300X run
        ("llama.cpp b5392", "ryzen-ai-max-plus-395", "llama.cpp-rocm-pre-mfma"),  # issue #13565
        ("llama.cpp b6500", "mi300x", "llama.cpp-rocm-2025"),
        ("llama.cpp b9500", "mi300x", "llama.cpp-rocm"),
        ("llama.cpp vulkan b4000", "rtx-4090", "llama.cpp-vulkan-pre-coopmat"),
        ("llama.cpp vulkan b5583", "arc-b580", "llama.cpp-vulkan-pre-xe2-coopmat"),
        ("llama.cpp vulkan b6000", "arc-b580", "llama.cpp-vulkan-2025"),
    ],
)
def test_a_build_picks_its_generation(engine: str, gpu: str, profile: str) -> None:
    assert engine_profile(engine, gpu_by_id(gpu)).id == profile


@pytest.mark.parametrize(
    ("gpu", "engine", "peak_tflops"),
    [
        # MI300X: 163.4 TFLOP/s FP32 vector vs 1,307.4 dense fp16 matrix
        ("mi300x", "llama.cpp-rocm-pre-mfma", 163.4),
        ("mi300x", "llama.cpp-rocm", 1307.4),
        # Strix Halo (Radeon 8060S): 29.7 FP32 vector vs 59.4 WMMA fp16
        ("ryzen-ai-max-plus-395", "llama.cpp-rocm-pre-mfma", 29.7),
        ("ryzen-ai-max-plus-395", "llama.cpp-rocm-2025", 59.4),
        # RDNA3 dGPUs took rocBLAS's WMMA kernels all along
        ("rx-7900-xtx", "llama.cpp-rocm-pre-mfma", 122.88),
        # Vulkan before cooperative matrices: every GPU with matrix units on its ALUs ...
        ("rtx-4090", "llama.cpp-vulkan-pre-coopmat", 82.58),
        # (ggml-vulkan's f16 accumulators: a GeForce card's fp16-accumulate rate)
        ("rtx-4090", "llama.cpp-vulkan", 330.3),
        # ... and a GPU without matrix units keeps its catalog rate (RDNA2: packed fp16)
        ("rx-6700-xt", "llama.cpp-vulkan-pre-coopmat", 26.43),
        # Intel: Xe2 (B580) on XMX from PR #14001, Xe1 (A770) never
        ("arc-b580", "llama.cpp-vulkan-pre-xe2-coopmat", 13.67),
        ("arc-b580", "llama.cpp-vulkan", 116.7),
        ("arc-a770", "llama.cpp-vulkan", 17.2),
    ],
)
def test_the_prompt_gemms_peak_is_the_units_the_build_uses(
    gpu: str, engine: str, peak_tflops: float
) -> None:
    assert priors_runtime(gpu, engine).peak_flops == pytest.approx(peak_tflops * 1e12, rel=1e-3)


def test_a_vector_alu_prompt_is_as_much_slower_as_the_peak_is_lower() -> None:
    # A 512-token prompt of a 7B model on an MI300X is compute-bound at either peak: at the
    # same efficiency, 8x less peak (163.4 vs 1,307.4 TFLOP/s) takes longer by 8x times the
    # ratio of the MMQ block-scale work both pay on the FP32 ALUs (3 instructions per 32 weights
    # and token: 3/32 of the matmul FLOPs at the vector peak, 3/32 x 8 at the matrix peak), so
    # 8 x 1.09 / 1.75 = 5.0x, a little less with the fixed per-step and per-layer time.
    before = float(priors_runtime("mi300x", "llama.cpp-rocm-pre-mfma").prefill_s(512))
    matrix = float(priors_runtime("mi300x", "llama.cpp-rocm-2025").prefill_s(512))
    ratio = 1307.4 / 163.4
    expected = ratio * (1.0 + 3.0 / 32.0) / (1.0 + 3.0 / 32.0 * ratio)
    assert 0.85 * expected < before / matrix <= expected
    # Decode reads the weights once per token: the matrix units do not change it.
    decode_before = float(priors_runtime("mi300x", "llama.cpp-rocm-pre-mfma").decode_step_s(1, 128))
    decode_matrix = float(priors_runtime("mi300x", "llama.cpp-rocm-2025").decode_step_s(1, 128))
    assert decode_before == pytest.approx(decode_matrix, rel=0.01)


def test_mfu_stays_a_share_of_the_gpus_matrix_peak() -> None:
    # MFU compares with the hardware's dense fp16 rate whatever units the build uses, so a
    # 2024 MI300X prefill reads as the small share of the GPU it is.
    runtime = priors_runtime("mi300x", "llama.cpp-rocm-pre-mfma")
    assert runtime.peak_flops == pytest.approx(163.4e12, rel=1e-3)
    assert runtime.matrix_peak_flops == pytest.approx(1307.4e12, rel=1e-3)
