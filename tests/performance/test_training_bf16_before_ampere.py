"""bf16 training on a GPU without bf16 tensor cores (NVIDIA before Ampere): PyTorch keeps
bf16 and its GEMMs compute in fp32 (cublasGemmEx, CUBLAS_COMPUTE_32F), so the step's matmuls
run at most at the FP32 rate, not the fp16 tensor rate."""

from __future__ import annotations

import pytest

from gpuatlas.performance.resolve import as_system
from gpuatlas.performance.training.speed import bf16_note, training_matmul_peak

# NVIDIA V100 datasheet (SXM2): 15.7 TFLOPS FP32, 125 TFLOPS tensor (fp16); no bf16.
V100_FP32_TFLOPS = 15.7
V100_FP16_TENSOR_TFLOPS = 125.0


def test_bf16_on_a_v100_runs_at_the_fp32_rate() -> None:
    v100 = as_system("v100-32gb-sxm2").gpu
    assert training_matmul_peak(v100, "bf16") == pytest.approx(V100_FP32_TFLOPS * 1e12)
    assert training_matmul_peak(v100, "fp16") == pytest.approx(V100_FP16_TENSOR_TFLOPS * 1e12)
    assert "no bf16 tensor cores" in " ".join(bf16_note(v100, "bf16"))
    assert bf16_note(v100, "fp16") == ()


def test_bf16_from_ampere_keeps_its_tensor_rate() -> None:
    a100 = as_system("a100-80gb-sxm").gpu
    assert training_matmul_peak(a100, "bf16") == pytest.approx(312e12)  # A100 datasheet
    assert bf16_note(a100, "bf16") == ()
