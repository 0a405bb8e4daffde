"""KV-cache bytes and forward FLOPs per token, from the one implementation the speed, memory
and training models use (performance/llm/shape.py), against hand-counted figures."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.models import all_llms
from gpuatlas.performance.llm.shape import (
    forward_flops_per_token,
    kv_bytes_per_token,
    kv_cache_bytes,
)

LLMS = {model.id: model for model in all_llms()}


def test_kv_cache_per_token_for_gqa_is_128_kib_for_llama_3_1_8b() -> None:
    # 2 (K,V) x 32 layers x 8 KV heads x 128 head dim x 2 bytes = 131,072 bytes
    assert kv_bytes_per_token(LLMS["llama-3.1-8b"], 2.0, 0) == 131_072


def test_kv_cache_for_mha_llama_2_7b_is_half_a_mebibyte_per_token() -> None:
    # 2 x 32 layers x 4096 hidden x 2 bytes = 524,288 bytes (kipply's 4·L·h)
    assert kv_bytes_per_token(LLMS["llama-2-7b"], 2.0, 0) == 524_288


def test_mla_caches_the_latent_not_full_heads() -> None:
    # (kv_lora_rank 512 + rope 64) x 61 layers x 2 bytes
    per_token = kv_bytes_per_token(LLMS["deepseek-v3"], 2.0, 0)
    assert per_token == 576 * 61 * 2
    full_heads = 2 * 61 * 128 * (128 + 64) * 2
    assert per_token < full_heads / 40


def test_sliding_window_layers_are_capped_at_the_window() -> None:
    mistral = LLMS["mistral-7b-v0.1"]  # every layer slides over 4,096 tokens
    per_token = kv_bytes_per_token(mistral, 2.0, 0)
    assert kv_cache_bytes(mistral, 2.0, 32_768) == per_token * 4096
    assert kv_cache_bytes(mistral, 2.0, 1000) == per_token * 1000
    assert kv_bytes_per_token(mistral, 2.0, 32_768) == per_token / 8


def test_gemma_3_long_contexts_cost_a_fifth_per_token() -> None:
    gemma = LLMS["gemma-3-27b"]  # 10 global layers, 52 local ones over a 1,024-token window
    at_128k = kv_bytes_per_token(gemma, 2.0, 131_072)
    short = kv_bytes_per_token(gemma, 2.0, 0)
    assert at_128k < short / 5


def test_forward_flops_are_twice_the_active_weights_plus_attention() -> None:
    model = LLMS["llama-3.1-8b"]
    weight_flops = forward_flops_per_token(model)
    assert weight_flops == pytest.approx(2 * (model.total_params() - model.embedding_params()))
    # QK^T and AV over 1000 cached tokens: 4 x heads x head_dim x ctx per layer
    assert forward_flops_per_token(model, 1000) - weight_flops == 4 * 32 * 128 * 1000 * 32
