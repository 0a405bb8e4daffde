"""llm.q names what it recomputes part by part (--recompute-ffn, --recompute-att, ...): the
share of the forward pass run again is those parts' FLOPs over the whole forward's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.models import all_llms
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.shape import forward_flops_per_token
from gpuatlas.performance.training.recompute import (
    recomputed_flops_per_token,
    stated_recompute_share,
)

MODELS = {model.id: model for model in all_llms()}
LLAMA_8B = MODELS["llama-3.1-8b"]  # 32 layers, hidden 4096, intermediate 14336, 32 q / 8 kv


@pytest.mark.unit
def test_recomputing_the_ffn_runs_its_three_matmuls_again() -> None:
    # gate, up and down: 3 x 4096 x 14336 weights, 2 FLOPs each, in each of 32 layers
    ffn = 32 * 2.0 * 3 * 4096 * 14336
    assert recomputed_flops_per_token(LLAMA_8B, {"recompute-ffn"}, 2048) == pytest.approx(ffn)
    # the QKV projection: 4096 -> 4096 + 2 x 1024
    qkv = 32 * 2.0 * 4096 * (4096 + 2 * 1024)
    assert recomputed_flops_per_token(LLAMA_8B, {"recompute-qkv"}, 2048) == pytest.approx(qkv)
    forward = forward_flops_per_token(LLAMA_8B, 1024)
    share = stated_recompute_share({"recompute-ffn"}, LLAMA_8B, 2048)
    assert share == pytest.approx(ffn / forward)


@pytest.mark.unit
def test_the_whole_block_is_the_forward_less_the_lm_head_and_norms_cost_no_matmuls() -> None:
    forward = forward_flops_per_token(LLAMA_8B, 1024)
    head = 2.0 * LLAMA_8B.vocab_size * 4096
    block = stated_recompute_share({"recompute-block"}, LLAMA_8B, 2048)
    assert block == pytest.approx((forward - head) / forward)
    assert stated_recompute_share({"recompute-swiglu", "recompute-norm"}, LLAMA_8B, 2048) == 0.0
    att = stated_recompute_share({"recompute-att"}, LLAMA_8B, 2048)
    qkv = stated_recompute_share({"recompute-qkv"}, LLAMA_8B, 2048)
    assert att is not None and qkv is not None and att > qkv
    # a whole-layer policy's share stands; no word, no recomputation stated
    assert stated_recompute_share({"ac-full"}, LLAMA_8B, 2048) == 1.0
    assert stated_recompute_share({"lora"}, LLAMA_8B, 2048) is None


@pytest.mark.unit
def test_an_llmq_row_recomputing_the_ffn_is_between_none_and_full() -> None:
    case = Case("rtx-4090", 1, "qwen2.5-0.5b", "bf16", "llm.q", 4, 1024, None, "train_tok_s")
    rates = [
        predict_case(replace(case, variant=variant)).value
        for variant in ("recompute-swiglu", "recompute-ffn", "recompute-block")
    ]
    assert rates[0] > rates[1] > rates[2]
