"""Llama-Nemotron NAS checkpoints (block_configs): layers without attention and an FFN width per
layer (issue 10, round 7). Llama-3.3-Nemotron-Super-49B's config: 80 blocks, 31 without attention,
FFN multipliers 0.5 to 5.25 of DeciLM's 2/3 x hidden rule."""

from __future__ import annotations

import pytest

from gpuatlas.app.models import model_details
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_config import arch_from_config
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model
from gpuatlas.performance.llm.shape import kv_bytes_per_token

pytestmark = pytest.mark.unit


def _super_49b() -> ModelArch:
    model = get_model("llama-3.3-nemotron-super-49b")
    assert isinstance(model, ModelArch)
    return model


def test_super_49b_counts_49b_with_49_attention_layers_of_8_kv_heads() -> None:
    model = _super_49b()
    assert model.total_params() == pytest.approx(49e9, rel=0.02)
    assert len(model.attention_free_layers) == 31 and model.kv_cache_layers == 49
    assert model.num_kv_heads == 8 and model.attention_type == "gqa"
    # 2 x 8 KV heads x 128 x 49 attention layers x 2 bytes
    assert kv_bytes_per_token(model, 2.0, 0) == 200_704


def test_ffn_widths_follow_decilm_rule() -> None:
    widths = set(_super_49b().layer_intermediate_sizes)
    # 2/3 x mult x 8192 rounded up to 256: 5.25 -> 28,672 (Llama 3.3 70B's), 0.5 -> 2,816
    assert max(widths) == 28_672 and min(widths) == 2_816


def test_a_two_block_config_counts_each_block_as_it_is() -> None:
    config = {
        "model_type": "nemotron-nas",
        "hidden_size": 1024,
        "num_hidden_layers": 2,
        "num_attention_heads": 8,
        "vocab_size": 1000,
        "intermediate_size": None,
        "num_key_value_heads": None,
        "block_configs": [
            {"attention": {"n_heads_in_group": 4, "no_op": False}, "ffn": {"ffn_mult": 1.5}},
            {"attention": {"no_op": True}, "ffn": {"ffn_mult": 3.0}},
        ],
    }
    model = arch_from_config(config, model_id="tiny-nas")
    attention = 1024 * (1024 + 2 * 256) + 1024 * 1024  # q, k, v (2 KV heads of 128), o
    mlp = 3 * 1024 * 1024 + 3 * 1024 * 2048  # widths 1024 and 2048
    norms = (2 * 2 - 1 + 1) * 1024  # the attention-free block has no input norm
    assert model.total_params() == 2 * 1000 * 1024 + attention + mlp + norms


@pytest.mark.parametrize(
    "name",
    [
        "nvidia/Llama-3_3-Nemotron-Super-49B-v1",
        "nvidia/Llama-3_3-Nemotron-Super-49B-v1_5",
        "bartowski/nvidia_Llama-3_3-Nemotron-Super-49B-v1_5-GGUF",
    ],
)
def test_super_49b_names_resolve(name: str) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.model.id == "llama-3.3-nemotron-super-49b"


def test_model_show_json_lists_the_attention_free_layers() -> None:
    blocks = model_details(_super_49b())["architecture"]["nas_blocks"]
    assert len(blocks["attention_free_layers"]) == 31 and blocks["kv_cache_layers"] == 49
    assert len(blocks["layer_intermediate_sizes"]) == 80
