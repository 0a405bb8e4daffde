"""What a Hugging Face run as users launch it by default adds to a training step: peft's LoRA
adapters and bitsandbytes' dequantize kernels add operators the host dispatches
(training/host.py), and eager attention (transformers' only path before v4.36) materialises
every head's scores over the whole sequence: more operators, score traffic that grows with
the sequence (training/token_traffic.py) and the masked half of the scores computed
(training/speed.py). Values from the implementations, not from today's output."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.models import all_llms
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.training.host import (
    BACKWARD_OPS_PER_FORWARD_OP,
    FORWARD_OPS_PER_LAYER,
    dispatched_ops,
    forward_ops_per_layer,
)
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.speed import flops_parts_per_token
from gpuatlas.performance.training.token_traffic import (
    eager_attention_bytes_per_token,
    lora_linear_count,
)
from gpuatlas.performance.training.variants import variant_eager_attention

MODELS = {model.id: model for model in all_llms()}
LLAMA_7B = MODELS["llama-2-7b"]  # 32 layers, 32 heads, gated MLP
FULL = TrainingSetup("full", 256, 1, False, "none")


@pytest.mark.unit
def test_lora_adapts_the_four_attention_and_three_mlp_projections_of_a_llama_layer() -> None:
    assert lora_linear_count(LLAMA_7B) == 7


@pytest.mark.unit
def test_lora_adds_four_operators_per_adapted_linear_and_qlora_a_dequantize_each() -> None:
    # peft lora.Linear.forward: lora_A, lora_B, * scaling, + result; bitsandbytes MatMul4Bit:
    # F.dequantize_4bit before each F.linear
    assert forward_ops_per_layer(LLAMA_7B, FULL) == FORWARD_OPS_PER_LAYER
    lora = replace(FULL, method="lora")
    assert forward_ops_per_layer(LLAMA_7B, lora) == FORWARD_OPS_PER_LAYER + 4 * 7
    qlora = replace(FULL, method="qlora")
    assert forward_ops_per_layer(LLAMA_7B, qlora) == FORWARD_OPS_PER_LAYER + 5 * 7
    passes = 1 + BACKWARD_OPS_PER_FORWARD_OP
    assert dispatched_ops(LLAMA_7B, qlora, recompute=False) == pytest.approx(
        32 * (FORWARD_OPS_PER_LAYER + 35) * passes
    )


@pytest.mark.unit
def test_eager_attention_dispatches_seven_operators_where_sdpa_dispatches_one() -> None:
    eager = replace(FULL, eager_attention=True)
    assert forward_ops_per_layer(LLAMA_7B, eager) == FORWARD_OPS_PER_LAYER + 6


@pytest.mark.unit
def test_eager_attention_moves_24_bytes_per_query_key_and_head_forward() -> None:
    assert eager_attention_bytes_per_token(LLAMA_7B, FULL, recompute=False) == 0.0
    eager = replace(FULL, sequence_tokens=8192, eager_attention=True)
    forward = 24 * 32 * 8192  # per layer: 16-bit scores, fp32 softmax and the casts
    assert eager_attention_bytes_per_token(LLAMA_7B, eager, recompute=False) == pytest.approx(
        32 * forward * 3  # forward and a backward of twice its traffic
    )
    assert eager_attention_bytes_per_token(LLAMA_7B, eager, recompute=True) == pytest.approx(
        32 * forward * 4  # one forward more under full checkpointing
    )


@pytest.mark.unit
def test_eager_attention_computes_the_masked_half_of_the_scores() -> None:
    sdpa = replace(FULL, sequence_tokens=4096)
    eager = replace(sdpa, eager_attention=True)
    weights_sdpa, attention_sdpa = flops_parts_per_token(LLAMA_7B, sdpa, recompute=False)
    weights_eager, attention_eager = flops_parts_per_token(LLAMA_7B, eager, recompute=False)
    assert weights_eager == pytest.approx(weights_sdpa)
    assert attention_eager == pytest.approx(2 * attention_sdpa, rel=1e-3)


@pytest.mark.unit
def test_vanilla_or_eager_attention_in_a_variant_means_materialised_scores() -> None:
    assert variant_eager_attention({"vanilla-attention"})
    assert variant_eager_attention({"lora", "eager-attention"})
    assert not variant_eager_attention({"lora", "ac-full"})


def _tok_s(sequence: int, variant: str) -> float:
    model, engine = "meta-llama/Llama-2-7b-hf", "hf-trainer"
    case = Case("a100-80gb-sxm", 1, model, "bf16", engine, 1, sequence, None, "train_tok_s")
    return predict_case(replace(case, variant=variant)).value


@pytest.mark.unit
def test_eager_attention_costs_more_the_longer_the_sequence() -> None:
    short = _tok_s(256, "lora+ac-full+vanilla-attention") / _tok_s(256, "lora+ac-full")
    long = _tok_s(8192, "lora+ac-full+vanilla-attention") / _tok_s(8192, "lora+ac-full")
    assert short <= 1.0
    assert long < short
    assert long < 0.8  # at 8,192 tokens the scores' traffic and the masked half weigh
