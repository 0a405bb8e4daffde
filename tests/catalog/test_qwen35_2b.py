"""Qwen3.5-2B, a size users run that was refused for want of its config: 24 layers, hidden 2048,
FFN 6144, 8 Q / 2 KV heads of 256 (two public training scripts quote its config), with the
Qwen3.5-0.8B layout of linear attention (16 key / 16 value heads of 128, every 4th layer full
attention). With them the hand count is the audited language model, 1,881,825,088 parameters
(llama-server's n_params for the GGUF), and the ViT of Qwen3.5-4B with its 2 x 2 merger into
2048 is the audited 331,416,576 vision tensors."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import llm_of
from gpuatlas.performance.llm.shape import kv_bytes_per_token

pytestmark = pytest.mark.unit

AUDITED_LANGUAGE = 1_881_825_088
AUDITED_VISION = 331_416_576


def _model(name: str = "Qwen/Qwen3.5-2B") -> ModelArch:
    model = llm_of(resolve_model_reference(name, allow_hub=False).model)
    assert model is not None
    return model


def _hand_count(layers: int, hidden: int, ffn: int, heads: int, kv_heads: int) -> int:
    head = 256
    attention = hidden * heads * head * 2 + 2 * hidden * kv_heads * head  # q (+ gate), k, v
    attention += heads * head * hidden + 2 * head  # o_proj, q/k norms
    key_dim, value_dim, value_heads = 16 * 128, 16 * 128, 16
    deltanet = hidden * (2 * key_dim + 2 * value_dim + 2 * value_heads)  # qkv, z, a, b
    deltanet += (2 * key_dim + value_dim) * 4 + 2 * value_heads + 128 + value_dim * hidden
    per_layer = 3 * hidden * ffn + 2 * hidden
    full = layers // 4
    embeddings = 248_320 * hidden  # tied
    return full * attention + (layers - full) * deltanet + layers * per_layer + hidden + embeddings


def test_the_config_counts_to_the_audited_language_model() -> None:
    model = _model()
    shape = (model.num_layers, model.hidden_size, model.intermediate_size)
    assert shape == (24, 2048, 6144)
    assert (model.num_attention_heads, model.num_kv_heads, model.head_dim) == (8, 2, 256)
    assert model.total_params() == AUDITED_LANGUAGE == _hand_count(24, 2048, 6144, 8, 2)
    assert model.published is not None and model.published.params == AUDITED_LANGUAGE


def test_the_image_tower_is_the_4b_vit_merged_into_2048() -> None:
    width, ffn, depth, out = 1024, 4096, 24, 2048
    patch = 3 * 2 * 16 * 16 * width + width
    block = 4 * width + (3 * width * width + 3 * width) + (width * width + width)
    block += (width * ffn + ffn) + (ffn * width + width)
    merged = 4 * width
    merger = 2 * width + (merged * merged + merged) + (merged * out + out)
    assert patch + 2304 * width + depth * block + merger == AUDITED_VISION
    assert _model().vision_params == AUDITED_VISION


def test_six_of_24_layers_cache_kv() -> None:
    """2 (K, V) x 2 KV heads x 256 x 6 full-attention layers x 2 bytes (bf16)."""
    model = _model("qwen3.5-2b")
    assert len(model.linear_attention_layers) == 18
    assert kv_bytes_per_token(model, 2.0, 0) == 2 * 2 * 256 * 6 * 2
