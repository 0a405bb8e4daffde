"""One predicate says when an NVIDIA GPU has an FP32 rate but no tensor rate for a 16-bit dtype
(bf16 before Ampere, fp16 on Pascal GP102-GP107); the diffusion pipeline, the LLM engines and
training all ask it, so they agree on which GPUs run 16-bit GEMMs in fp32 math."""

from __future__ import annotations

import pytest

from gpuatlas.performance.engine_profiles import all_engines
from gpuatlas.performance.engine_specs import bf16_in_fp32_math as engine_bf16_in_fp32_math
from gpuatlas.performance.peak_rates import lacks_sixteen_bit_rate
from gpuatlas.performance.resolve import as_system
from gpuatlas.performance.training.speed import bf16_in_fp32_math as training_bf16_in_fp32_math


@pytest.mark.parametrize(
    ("gpu_id", "dtype", "lacks"),
    [
        ("v100-32gb-sxm2", "bf16", True),  # Volta: fp16 tensor cores, no bf16
        ("v100-32gb-sxm2", "fp16", False),
        ("p40", "fp16", True),  # GP102: fp16 at 1/64 of FP32, left empty in the catalog
        ("a100-80gb-sxm", "bf16", False),  # Ampere: bf16 tensor cores
        ("mi300x", "bf16", False),  # not NVIDIA: the cuBLAS fp32-math path does not apply
    ],
)
def test_the_predicate_follows_the_catalog_rates(gpu_id: str, dtype: str, lacks: bool) -> None:
    assert lacks_sixteen_bit_rate(as_system(gpu_id).gpu, dtype) is lacks


def test_training_and_engines_ask_the_same_predicate_for_bf16() -> None:
    engine = next(p for p in all_engines() if p.bf16_in_fp32_math)
    for gpu_id in ("v100-32gb-sxm2", "a100-80gb-sxm", "p40"):
        gpu = as_system(gpu_id).gpu
        lacks = lacks_sixteen_bit_rate(gpu, "bf16")
        assert training_bf16_in_fp32_math(gpu, "bf16") is lacks
        assert engine_bf16_in_fp32_math(engine, gpu, "bf16") is lacks
        assert not training_bf16_in_fp32_math(gpu, "fp16")
        assert not engine_bf16_in_fp32_math(engine, gpu, "fp16")
