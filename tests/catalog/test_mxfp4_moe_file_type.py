"""llama.cpp's GGUF file type MXFP4_MOE (llama-bench 'MXFP4 MoE'; src/llama-quant.cpp: expert
tensors MXFP4, every other tensor and the output layer Q8_0) is its own weight format: gpt-oss
read that way moves the experts at 4.25 bits and the rest at 8.5, not bf16 as in the Hugging
Face checkpoint ('mxfp4')."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.model_names import resolve_model
from gpuatlas.catalog.model_weights import format_label
from gpuatlas.performance.llm.shape import llm_shape

pytestmark = pytest.mark.unit

MXFP4_BITS = 4.25  # E2M1 + one E8M0 scale per 32 elements
Q8_0_BITS = 8.5  # 34 bytes per 32 weights


def test_gpt_oss_reads_its_experts_at_mxfp4_and_the_rest_at_q8_0() -> None:
    model = resolve_model("gpt-oss-20b")
    parts = model.parameter_breakdown()
    shape = llm_shape(model, resolve_format("mxfp4_moe"))
    non_expert = parts["attention"] + parts["dense_mlp"] + parts["shared_experts"] + parts["router"]
    head = model.vocab_size * model.hidden_size
    expected_step = (non_expert + head) * Q8_0_BITS / 8 + parts["norms"] * 2.0
    assert shape.step_read_bytes == pytest.approx(expected_step, rel=1e-9)
    assert shape.expert_bytes == pytest.approx(model.expert_params() * MXFP4_BITS / 8, rel=1e-9)


def test_the_file_type_reads_less_than_the_checkpoint_with_bf16_attention() -> None:
    model = resolve_model("gpt-oss-20b")
    file_type = llm_shape(model, resolve_format("mxfp4_moe"))
    checkpoint = llm_shape(model, resolve_format("mxfp4"))
    assert file_type.expert_bytes == checkpoint.expert_bytes
    # 16 -> 8.5 bits on everything but the experts
    assert file_type.step_read_bytes / checkpoint.step_read_bytes == pytest.approx(
        Q8_0_BITS / 16, rel=0.01
    )


def test_any_moe_model_gets_mxfp4_experts_from_the_file_type() -> None:
    model = resolve_model("qwen3-30b-a3b")
    shape = llm_shape(model, resolve_format("mxfp4_moe"))
    assert shape.expert_bytes == pytest.approx(model.expert_params() * MXFP4_BITS / 8, rel=1e-9)


def test_the_label_says_how_the_file_is_laid_out() -> None:
    label = format_label(resolve_model("gpt-oss-20b"), "mxfp4_moe")
    assert label.startswith("mxfp4 experts + q8_0")
