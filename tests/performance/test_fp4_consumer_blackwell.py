"""FP4 on consumer and workstation Blackwell (sm120: RTX 50, RTX PRO Blackwell; sm121: DGX Spark
GB10); the catalog's FP4 column is the dense tensor rate (test_fp4_tensor_rate.py). vLLM runs
NVFP4 checkpoints there as W4A4 block-scaled FP4 GEMMs (FlashInfer's CUTLASS sm120 kernel), so
they are costed at the FP4 rate; its MXFP4 MoE (gpt-oss) has no FlashInfer path off capability
9.0/10.0 and runs W4A16 (Triton matmul_ogs or Marlin, bf16 activations), so on 12.x it is
costed at the bf16 rate (engines.toml weight_only_formats)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance.engine_specs import dtype_notes, engine_profile
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit


def test_vllm_nvfp4_on_an_rtx_5090_runs_at_the_dense_fp4_rate() -> None:
    runtime = llm_runtime("rtx-5090", "qwen3-8b", "nvfp4", "vllm")
    assert runtime.compute_precision == "fp4"
    assert runtime.matrix_peak_flops == pytest.approx(1676.0e12)


@pytest.mark.parametrize(
    ("gpu_id", "bf16_tflops"), [("rtx-5090", 209.5), ("dgx-spark-gb10", 125.0)]
)
def test_vllm_mxfp4_on_sm12x_runs_weight_only_at_the_bf16_rate(
    gpu_id: str, bf16_tflops: float
) -> None:
    runtime = llm_runtime(gpu_id, "gpt-oss-20b", "mxfp4", "vllm")
    assert runtime.compute_precision == "bf16"
    assert runtime.matrix_peak_flops == pytest.approx(bf16_tflops * 1e12)


def test_vllm_mxfp4_on_a_b200_keeps_the_fp8_rate() -> None:
    # sm100 has FlashInfer's MXFP4 paths; the weight-only list names 12.x only.
    runtime = llm_runtime("b200", "gpt-oss-20b", "mxfp4", "vllm")
    assert runtime.compute_precision == "fp8"


def test_the_answer_says_vllm_runs_mxfp4_weight_only_on_an_rtx_5090() -> None:
    gpu = gpu_by_id("rtx-5090")
    notes = dtype_notes(engine_profile("vllm", gpu), gpu, "mxfp4")
    assert any("weight-only" in note and "bf16" in note for note in notes)
    assert dtype_notes(engine_profile("vllm", gpu), gpu, "nvfp4") == ()
