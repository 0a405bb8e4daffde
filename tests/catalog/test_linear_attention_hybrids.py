"""Gated DeltaNet hybrids (Qwen3-Next, Qwen3.5, Qwen3.6): 3 of 4 layers keep a fixed-size state
per sequence instead of a KV cache (issue 10, round 7).

Parameter counts from the configs' `linear_*` fields against published totals; KV bytes per
token from the full-attention layers alone; the per-sequence state in memory.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.app.models import model_details
from gpuatlas.catalog.kv_capacity import load_kv_capacity
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_config import arch_from_config, validate_llm_config
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model
from gpuatlas.performance.llm.kv_capacity_check import kv_capacity_inputs
from gpuatlas.performance.llm.memory import GB, kv_per_sequence_gb
from gpuatlas.performance.llm.shape import kv_bytes_per_token

pytestmark = pytest.mark.unit

# https://huggingface.co/Qwen/Qwen3-Coder-Next/blob/main/config.json, as a public parameter
# counter's test quotes it, with the published total 79,674,391,296.
QWEN3_CODER_NEXT = {
    "model_type": "qwen3_next",
    "hidden_size": 2048,
    "num_hidden_layers": 48,
    "vocab_size": 151936,
    "head_dim": 256,
    "num_attention_heads": 16,
    "num_key_value_heads": 2,
    "intermediate_size": 5120,
    "num_experts": 512,
    "num_experts_per_tok": 10,
    "moe_intermediate_size": 512,
    "shared_expert_intermediate_size": 512,
    "linear_num_key_heads": 16,
    "linear_key_head_dim": 128,
    "linear_num_value_heads": 32,
    "linear_value_head_dim": 128,
    "linear_conv_kernel_dim": 4,
    "full_attention_interval": 4,
    "tie_word_embeddings": False,
}
PUBLISHED_CODER_NEXT = 79_674_391_296
SHARED_EXPERT_GATE = 48 * 2048  # one hidden -> 1 gate per layer, not modelled


def _qwen36() -> ModelArch:
    model = get_model("qwen3.6-35b-a3b")
    assert isinstance(model, ModelArch)
    return model


def test_gated_deltanet_parameters_reproduce_the_published_total() -> None:
    model = arch_from_config(QWEN3_CODER_NEXT, model_id="qwen3-coder-next")
    assert len(model.linear_attention_layers) == 36 and model.full_attention_layers == 12
    assert model.total_params() + SHARED_EXPERT_GATE == PUBLISHED_CODER_NEXT


def test_one_gated_deltanet_mixer_counts_its_projections_conv_and_norm() -> None:
    model = arch_from_config(QWEN3_CODER_NEXT, model_id="qwen3-coder-next")
    keys, values = 16 * 128, 32 * 128
    projections = 2048 * (2 * keys + 2 * values + 2 * 32) + values * 2048
    conv, per_head, norm = (2 * keys + values) * 4, 2 * 32, 128
    assert model.linear_mixer_params == projections + conv + per_head + norm


def test_qwen36_35b_a3b_counts_35b_and_caches_kv_in_10_of_40_layers() -> None:
    model = _qwen36()
    assert model.total_params() == pytest.approx(35e9, rel=0.02)
    assert model.kv_cache_layers == 10 and len(model.linear_attention_layers) == 30
    # 2 (K and V) x 2 KV heads x 256 x 10 layers x 2 bytes, as its loader fixture computes
    assert kv_bytes_per_token(model, 2.0, 0) == 2 * 2 * 256 * 10 * 2


def test_qwen36_state_per_sequence_is_fp32_ssm_plus_bf16_conv() -> None:
    ssm = 32 * 128 * 128 * 4  # value heads x key dim x value dim, float32
    conv = (2 * 16 * 128 + 32 * 128) * 3 * 2  # conv channels x (kernel - 1), bf16
    assert _qwen36().recurrent_state_bytes(2.0) == 30 * (ssm + conv) == 64_389_120


def test_a_sequence_holds_its_state_beside_the_kv_of_its_tokens() -> None:
    row = next(r for r in load_kv_capacity() if r.gpu_count == 1 and r.kv_cache == "auto")
    inputs = replace(kv_capacity_inputs(row), model=_qwen36(), kv_bytes_per_element=2.0)
    state = 64_389_120
    assert kv_per_sequence_gb(inputs, 1, 0) * GB == pytest.approx(state)
    tokens = 16 * inputs.engine.kv_block_tokens
    expected = tokens * 20_480 + state
    assert kv_per_sequence_gb(inputs, 1, tokens) * GB == pytest.approx(expected)


def test_dense_models_keep_every_layer_in_the_kv_cache() -> None:
    model = get_model("llama-3.1-8b")
    assert isinstance(model, ModelArch)
    assert model.kv_cache_layers == model.num_layers == model.full_attention_layers
    assert model.recurrent_state_bytes() == 0


@pytest.mark.parametrize(
    "name",
    ["Qwen/Qwen3.5-35B-A3B", "unsloth/Qwen3.6-35B-A3B-GGUF", "qwen3.6:35b", "qwen3.5:35b-a3b"],
)
def test_qwen35_and_36_35b_names_resolve(name: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == "qwen3.6-35b-a3b"


def test_a_hybrid_config_without_its_linear_attention_sizes_is_refused() -> None:
    config = {k: v for k, v in QWEN3_CODER_NEXT.items() if k != "linear_num_value_heads"}
    problems = validate_llm_config(config)
    assert any("linear_num_value_heads" in problem for problem in problems)


def test_a_qwen3_next_config_naming_no_layer_pattern_uses_the_default_interval() -> None:
    bare = {k: v for k, v in QWEN3_CODER_NEXT.items() if k != "full_attention_interval"}
    model = arch_from_config(bare, model_id="qwen3-coder-next")
    assert model.linear_attention_layers == tuple(i for i in range(48) if (i + 1) % 4)
    without_sizes = {k: v for k, v in bare.items() if not k.startswith("linear_")}
    assert any("linear_num_key_heads" in p for p in validate_llm_config(without_sizes))


def test_model_show_json_states_the_linear_layers_and_their_state() -> None:
    details = model_details(_qwen36())
    linear = details["architecture"]["linear_attention"]
    assert linear["kv_cache_layers"] == 10 and len(linear["layers"]) == 30
    assert linear["state_bytes_per_sequence"] == 64_389_120


def test_qwen36_27b_caches_64_kib_per_token_in_16_of_64_layers() -> None:
    model = get_model("qwen3.6-27b")
    assert isinstance(model, ModelArch) and not model.is_moe
    assert model.total_params() == pytest.approx(27e9, rel=0.02)
    assert model.kv_cache_layers == 16
    assert kv_bytes_per_token(model, 2.0, 0) == 64 * 1024  # 2 x 4 x 256 x 16 x 2
    ssm, conv = 48 * 128 * 128 * 4, (2 * 16 * 128 + 48 * 128) * 3 * 2
    assert model.recurrent_state_bytes(2.0) == 48 * (ssm + conv)
    assert resolve_model_reference("Qwen/Qwen3.5-27B", allow_hub=False).model.id == "qwen3.6-27b"


def test_qwen35_122b_a10b_counts_122b_total_and_10b_active() -> None:
    model = get_model("qwen3.5-122b-a10b")
    assert isinstance(model, ModelArch)
    assert model.total_params() == pytest.approx(122e9, rel=0.01)
    assert model.active_params() == pytest.approx(10e9, rel=0.03)
    assert kv_bytes_per_token(model, 2.0, 0) == 2 * 2 * 256 * 12 * 2
    name = "unsloth/Qwen3.5-122B-A10B-GGUF:UD-Q4_K_XL"
    assert resolve_model_reference(name, allow_hub=False).model.id == "qwen3.5-122b-a10b"
