"""Per-token memory traffic of a training step (training/token_traffic.py): eager element-wise
operators, the loss over the logits and LoRA's adapters, counted from the implementations and
charged at the datasheet bandwidth; fused kernels (torch.compile, Liger, Megatron-Core,
Unsloth, a fused cross-entropy) move less."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import build_system
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.training.memory import TrainingSetup, activation_bytes
from gpuatlas.performance.training.speed import compute_step_s, predict_training_run
from gpuatlas.performance.training.token_traffic import (
    elementwise_bytes_per_token,
    fused_parts,
    layer_forward_bytes,
    lora_bytes_per_token,
    loss_bytes_per_token,
    token_traffic_s,
)
from gpuatlas.performance.training.variants import variant_fused

MODELS = {model.id: model for model in all_llms()}
LLAMA_3B = MODELS["llama-3.2-3b"]  # hidden 3072, 24 q / 8 kv heads of 128, intermediate 8192
FULL = TrainingSetup("full", 4096, 2, False, "none")


@pytest.mark.unit
def test_an_eager_layer_moves_its_norms_rotary_swiglu_and_residual_bytes() -> None:
    h, q, k, inter = 3072, 24 * 128, 8 * 128, 8192
    eager = 2 * 36 * h + 28 * (q + k) + 10 * inter + 12 * h
    fused = 2 * 4 * h + 4 * (q + k) + 6 * inter + 12 * h
    assert layer_forward_bytes(LLAMA_3B) == pytest.approx(eager)
    assert layer_forward_bytes(LLAMA_3B, fused=True) == pytest.approx(fused)
    # forward, a backward of twice its traffic, and a recomputed forward under checkpointing
    assert elementwise_bytes_per_token(LLAMA_3B, FULL, False) == pytest.approx(28 * eager * 3)
    recomputed = replace(FULL, checkpointing=True)
    assert elementwise_bytes_per_token(LLAMA_3B, recomputed, True) == pytest.approx(28 * eager * 4)


@pytest.mark.unit
def test_the_eager_loss_moves_42_bytes_per_logit_and_a_fused_one_8() -> None:
    assert loss_bytes_per_token(LLAMA_3B) == pytest.approx(42 * 128_256)
    assert loss_bytes_per_token(LLAMA_3B, fused=True) == pytest.approx(8 * 128_256)


@pytest.mark.unit
def test_lora_adapters_move_12_bytes_per_width_of_every_adapted_linear() -> None:
    widths = 2 * (3072 + 3072) + 2 * (3072 + 1024) + 3 * (3072 + 8192)
    lora = replace(FULL, method="lora")
    assert lora_bytes_per_token(LLAMA_3B, lora, False) == pytest.approx(28 * widths * 12)
    assert lora_bytes_per_token(LLAMA_3B, FULL, False) == 0.0


@pytest.mark.unit
def test_the_traffic_takes_its_bytes_over_the_datasheet_bandwidth() -> None:
    system = build_system(gpu_by_id("a100-80gb-sxm"), 1)
    per_token = elementwise_bytes_per_token(LLAMA_3B, FULL, False) + loss_bytes_per_token(LLAMA_3B)
    expected_s = 4096 * 2 * per_token / (system.gpu.memory_bandwidth_gb_s * 1e9)
    assert token_traffic_s(system, LLAMA_3B, FULL, False) == pytest.approx(expected_s)


@pytest.mark.unit
def test_variant_words_and_frameworks_say_what_is_fused() -> None:
    assert variant_fused({"ac-full"}) == frozenset()
    assert variant_fused({"torch.compile"}) == {"elementwise"}
    assert variant_fused({"liger", "fused-ce"}) == {"elementwise", "loss"}
    assert variant_fused({"fused-layers"}) == {"elementwise"}
    # torchtune compiles its chunked loss with the model
    assert variant_fused({"torch.compile", "chunked-ce"}) == {"elementwise", "loss"}
    assert variant_fused({"chunked-ce"}) == frozenset()
    assert fused_parts(replace(FULL, engine="megatron")) == {"elementwise", "loss"}
    assert fused_parts(replace(FULL, engine="unsloth")) == {"elementwise", "loss"}
    assert fused_parts(replace(FULL, engine="hf-trainer")) == frozenset()
    # llm.q's layer runs fused_residual_rmsnorm, rope and swiglu kernels and its loss is llm.c's
    # fused_classifier (IST-DASLab/llmq src/models/llama_model.cpp)
    assert fused_parts(replace(FULL, engine="llmq")) == {"elementwise", "loss"}


@pytest.mark.unit
def test_fused_kernels_move_less_than_eager_ones() -> None:
    system = build_system(gpu_by_id("rtx-4090"), 1)
    eager = token_traffic_s(system, LLAMA_3B, FULL, False)
    fused = token_traffic_s(system, LLAMA_3B, replace(FULL, engine="unsloth"), False)
    assert 0.0 < fused < eager / 2


@pytest.mark.unit
def test_a_small_model_spends_a_larger_share_of_its_step_on_traffic() -> None:
    # the bytes scale with the hidden size, the FLOPs with its square
    system = build_system(gpu_by_id("h100-sxm"), 1)

    def share(model_id: str) -> float:
        model = MODELS[model_id]
        traffic_s = token_traffic_s(system, model, FULL, False)
        return traffic_s / compute_step_s(system, model, FULL, False, 0.5)

    assert share("qwen3-0.6b") > 2 * share("llama-3.1-8b")


@pytest.mark.unit
def test_a_rows_variant_words_reach_its_prediction() -> None:
    # a GPU-bound step (4 x 4096 tokens): the fused loss and layers save their bytes' time
    case = Case(
        gpu="a100-80gb-sxm",
        gpu_count=1,
        model="llama-3.2-3b",
        weights="bf16",
        engine="pytorch",
        batch=4,
        input_tokens=4096,
        output_tokens=None,
        metric="train_tok_s",
        variant="ac-full",
    )
    eager = predict_case(case).value
    liger = predict_case(replace(case, variant="ac-full+liger+fused-ce")).value
    system = build_system(gpu_by_id("a100-80gb-sxm"), 1)
    setup = TrainingSetup("full", 4096, 4, True, "none")
    saved_s = token_traffic_s(system, LLAMA_3B, setup, True) - token_traffic_s(
        system, LLAMA_3B, replace(setup, fused=frozenset({"elementwise", "loss"})), True
    )
    assert 4 * 4096 / liger == pytest.approx(4 * 4096 / eager - saved_s, rel=1e-6)


@pytest.mark.unit
def test_the_answer_states_the_traffic_and_its_share_of_the_step() -> None:
    system = build_system(gpu_by_id("rtx-4090"), 1)
    setup = TrainingSetup("lora", 2048, 4, True, "none")
    run = predict_training_run(system, LLAMA_3B, setup, tokens=1e9, recompute=True)
    traffic_s = token_traffic_s(system, LLAMA_3B, setup, True)
    note = next(note for note in run.notes if note.startswith("memory traffic"))
    assert f"{traffic_s * 1e3:,.0f} ms of the {run.step_s.value * 1e3:,.0f} ms step" in note
    assert "an fp32 cross-entropy over 128,256 logits and the LoRA adapters" in note


@pytest.mark.unit
def test_a_fused_loss_holds_the_bf16_logits_only() -> None:
    # eager: bf16 logits, their fp32 upcast and its gradient (10 B per entry); a fused
    # cross-entropy writes the gradient over the bf16 logits in place (2 B per entry)
    eager = activation_bytes(LLAMA_3B, FULL)
    fused = activation_bytes(LLAMA_3B, replace(FULL, fused=frozenset({"loss"})))
    tokens = FULL.sequence_tokens * FULL.micro_batch
    assert eager - fused == pytest.approx(tokens * LLAMA_3B.vocab_size * (10.0 - 2.0))
    assert activation_bytes(LLAMA_3B, replace(FULL, engine="llmq")) == pytest.approx(fused)
