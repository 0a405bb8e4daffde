"""Pure 16-bit training (variant words `pure-bf16` / `pure-fp16`): a bf16 model trained with
AdamW and no autocast keeps no fp32 master copy, and AdamW's momentum and variance take the
parameters' 16-bit dtype: 4 bytes of optimizer state per trained parameter, not 12."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import build_system
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.training.memory import (
    GB,
    TrainingSetup,
    optimizer_bytes_per_param,
    training_memory_fit,
)
from gpuatlas.performance.training.optimizer import optimizer_bytes_moved_per_param
from gpuatlas.performance.training.variants import variant_master_weights

MODEL = {model.id: model for model in all_llms()}["llama-3.2-3b"]
MIXED = TrainingSetup("full", 210, 4, False, "none")
PURE = replace(MIXED, master_weights=False)


@pytest.mark.unit
def test_the_variant_word_states_pure_16_bit_training() -> None:
    assert variant_master_weights(frozenset({"pure-bf16"})) is False
    assert variant_master_weights(frozenset({"lora", "pure-fp16"})) is False
    assert variant_master_weights(frozenset({"lora", "ac-full"})) is True


@pytest.mark.unit
def test_pure_16_bit_adamw_keeps_4_bytes_of_state_per_parameter_not_12() -> None:
    assert optimizer_bytes_per_param(MIXED) == 12.0
    assert optimizer_bytes_per_param(PURE) == 4.0
    system = build_system(gpu_by_id("l40s"), 1)
    mixed = training_memory_fit(system, MODEL, MIXED)
    pure = training_memory_fit(system, MODEL, PURE)
    params = float(MODEL.total_params())
    assert mixed.optimizer_gb == pytest.approx(params * 12.0 / GB)
    assert pure.optimizer_gb == pytest.approx(params * 4.0 / GB)
    assert pure.weights_gb == pytest.approx(mixed.weights_gb)
    assert pure.gradients_gb == pytest.approx(mixed.gradients_gb)


@pytest.mark.unit
def test_a_pure_bf16_full_fine_tune_of_a_3b_model_fits_48_gb_without_recomputation() -> None:
    # 3.2 B x (2 B weights + 2 B gradients + 4 B states) = 26 GB + activations: fits an L40S,
    # so the row is predicted as it ran (no checkpointing); mixed precision (+ 8 B/param) not
    system = build_system(gpu_by_id("l40s"), 1)
    assert training_memory_fit(system, MODEL, PURE).fits
    assert not training_memory_fit(system, MODEL, MIXED).fits
    case = Case(
        gpu="l40s",
        gpu_count=1,
        model="llama-3.2-3b",
        weights="bf16",
        engine="pytorch",
        batch=4,
        input_tokens=210,
        output_tokens=None,
        metric="train_tok_s",
        variant="pure-bf16",
    )
    mixed_case = replace(case, variant=None)
    # the mixed-precision reading of the same row recomputes (it does not fit): slower
    assert predict_case(case).value > predict_case(mixed_case).value


@pytest.mark.unit
def test_a_framework_without_a_master_copy_keeps_fp32_moments_only() -> None:
    # llm.q: bf16 model dtype is the master copy, AdamW's m and v default to float32
    # (IST-DASLab/llmq training.py, src/kernels/adamw.cu): 8 bytes of state per parameter
    llmq = replace(MIXED, engine="llmq")
    assert optimizer_bytes_per_param(llmq) == 8.0
    # fused AdamW's 7 accesses and clipping's 3 at 2 bytes, the 4 moment accesses 2 bytes more
    assert optimizer_bytes_moved_per_param(llmq) == (7 + 3) * 2 + 4 * 2
    assert optimizer_bytes_moved_per_param(MIXED) == (7 + 3) * 4
    assert optimizer_bytes_moved_per_param(PURE) == (7 + 3) * 2
    # pure 16-bit stated on such a framework: 16-bit moments too
    assert optimizer_bytes_per_param(replace(llmq, master_weights=False)) == 4.0
