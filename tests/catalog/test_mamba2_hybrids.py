"""Mamba-2 hybrids: Nemotron-H / Nemotron 3 and Granite 4.0 H (issue 10, round 8).

Most of their layers are Mamba-2 mixers that keep a fixed-size state per sequence instead of a
KV cache. Parameter counts from the configs' Mamba fields against the published totals; KV bytes
per token from the attention layers alone; the state in memory and in every decode step.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_config import arch_from_config, validate_llm_config
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.shape import kv_bytes_per_token
from gpuatlas.performance.llm.step_times import build_runtime
from gpuatlas.performance.resolve import as_format, as_system

pytestmark = pytest.mark.unit

BF16_BYTES = 2.0
FP32_BYTES = 4.0
# NVIDIA-Nemotron-3-Nano-30B-A3B: 23 Mamba-2, 23 MoE, 6 attention blocks.
NANO_PATTERN = "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME"


def _llm(model_id: str) -> ModelArch:
    model = get_model(model_id)
    assert isinstance(model, ModelArch)
    return model


def test_nemotron_3_nano_reproduces_the_published_31_6b_and_3_2b_active() -> None:
    model = _llm("nemotron-3-nano-30b-a3b")
    assert model.total_params() == pytest.approx(31.6e9, rel=0.005)
    # 3.2B active without the input embedding (a lookup), 3.6B with it
    active_without_lookup = model.active_params() - model.embedding_params()
    assert active_without_lookup == pytest.approx(3.2e9, rel=0.02)
    assert (model.moe_layers, len(model.linear_attention_layers), model.kv_cache_layers) == (
        23,
        23,
        6,
    )


def test_nemotron_h_blocks_are_one_kind_each() -> None:
    model = _llm("nemotron-3-nano-30b-a3b")
    assert model.recurrent_mixer == "mamba2"
    assert model.moe_layer_indices == tuple(i for i, b in enumerate(NANO_PATTERN) if b == "E")
    assert model.linear_attention_layers == tuple(i for i, b in enumerate(NANO_PATTERN) if b == "M")
    # squared-ReLU experts: up and down projections only
    assert model.expert_params() == 2 * 2688 * 1856
    assert model.shared_expert_params() == 2 * 2688 * 3712
    assert model.parameter_breakdown()["dense_mlp"] == 0


def test_a_mamba2_mixer_counts_its_projections_conv_and_head_parameters() -> None:
    model = _llm("nemotron-3-nano-30b-a3b")
    inner, groups, state, heads, hidden = 64 * 64, 8, 128, 64, 2688
    conv = inner + 2 * groups * state
    in_proj = hidden * (inner + conv + heads)
    expected = in_proj + conv * 4 + conv + 3 * heads + inner + inner * hidden
    assert model.linear_mixer_params == expected


def test_only_attention_blocks_cache_k_and_v() -> None:
    nano = _llm("nemotron-3-nano-30b-a3b")
    assert kv_bytes_per_token(nano, BF16_BYTES, 0) == 2 * 2 * 128 * 6 * 2
    nine_b = _llm("nemotron-nano-9b-v2")
    assert kv_bytes_per_token(nine_b, BF16_BYTES, 0) == 2 * 8 * 128 * 4 * 2
    granite = _llm("granite-4.0-h-small")
    assert kv_bytes_per_token(granite, BF16_BYTES, 0) == 2 * 8 * 128 * 4 * 2


def test_each_mamba_layer_keeps_its_ssm_and_conv_state_per_sequence() -> None:
    nano = _llm("nemotron-3-nano-30b-a3b")
    ssm = 64 * 64 * 128 * FP32_BYTES  # heads x head size x state size, float32 cache
    conv = (4096 + 2 * 8 * 128) * 3 * BF16_BYTES  # channels x (taps - 1)
    assert nano.recurrent_state_bytes() == 23 * (ssm + conv)


def test_nemotron_nano_9b_v2_is_dense_with_mlp_blocks() -> None:
    model = _llm("nemotron-nano-9b-v2")
    assert not model.is_moe
    assert model.total_params() == pytest.approx(8.89e9, rel=0.005)
    mlp_blocks = sum(1 for width in model.layer_intermediate_sizes if width)
    assert (mlp_blocks, len(model.linear_attention_layers), model.kv_cache_layers) == (25, 27, 4)


def test_granite_4_h_small_has_its_moe_after_every_mixer() -> None:
    model = _llm("granite-4.0-h-small")
    assert model.total_params() == pytest.approx(32.19e9, rel=0.005)
    assert model.active_params() == pytest.approx(8.78e9, rel=0.01)
    assert model.moe_layers == 40 and model.num_shared_experts == 1
    assert model.expert_params() == 3 * 4096 * 768  # SwiGLU experts
    assert model.shared_expert_params() == 3 * 4096 * 1536


def test_a_dense_nemotron_h_with_a_default_expert_count_stays_dense() -> None:
    """transformers writes NemotronHConfig's default n_routed_experts into saved configs."""
    config = {
        "model_type": "nemotron_h",
        "hidden_size": 64,
        "num_hidden_layers": 3,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 16,
        "intermediate_size": 128,
        "vocab_size": 256,
        "hybrid_override_pattern": "M*-",
        "mamba_num_heads": 4,
        "mamba_head_dim": 16,
        "ssm_state_size": 16,
        "n_routed_experts": 8,
    }
    model = arch_from_config(config, model_id="tiny")
    assert not model.is_moe and model.parameter_breakdown()["dense_mlp"] == 2 * 64 * 128


def test_a_pattern_that_disagrees_with_the_layer_count_is_refused() -> None:
    config = {
        "model_type": "nemotron_h",
        "hidden_size": 64,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "vocab_size": 256,
        "intermediate_size": 128,
        "hybrid_override_pattern": "M*X",
    }
    problems = " ".join(validate_llm_config(config))
    assert "3 blocks for 4 layers" in problems and "M (Mamba-2)" in problems
    assert "mamba_num_heads" in problems


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("ibm-granite/granite-4.0-h-small", "granite-4.0-h-small"),
        ("granite4:small-h", "granite-4.0-h-small"),
        ("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", "nemotron-3-nano-30b-a3b"),
        ("nemotron-3-nano:30b", "nemotron-3-nano-30b-a3b"),
        ("nvidia/NVIDIA-Nemotron-Nano-9B-v2", "nemotron-nano-9b-v2"),
        ("NVIDIA-Nemotron-3-Nano-30B-A3B-Q4_K_M.gguf", "nemotron-3-nano-30b-a3b"),
        ("granite-4.0-h-small-Q4_K_M.gguf", "granite-4.0-h-small"),
    ],
)
def test_names_people_write_resolve(name: str, model_id: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id


def test_decode_reads_and_writes_the_recurrent_state_every_step() -> None:
    model = _llm("nemotron-nano-9b-v2")
    stateless = replace(model, recurrent_ssm_state_elements=0, recurrent_conv_state_elements=0)
    system, engine, weights = as_system("h100-sxm"), resolve_engine("vllm"), as_format("bf16")
    with_state = build_runtime(system, model, weights, engine, BF16_BYTES)
    without = build_runtime(system, stateless, weights, engine, BF16_BYTES)
    moved = with_state.decode_terms(4, 1000)[1] - without.decode_terms(4, 1000)[1]
    assert moved == pytest.approx(4 * 2 * model.recurrent_state_bytes())


def test_latent_moe_is_refused_rather_than_counted_as_plain_experts() -> None:
    """Nemotron 3 Super/Ultra route experts in a latent width (moe_latent_size)."""
    config = {
        "model_type": "nemotron_h",
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "vocab_size": 256,
        "intermediate_size": 128,
        "hybrid_override_pattern": "*E",
        "n_routed_experts": 8,
        "moe_latent_size": 32,
    }
    assert any("LatentMoE" in problem for problem in validate_llm_config(config))


def test_nemotron_3_super_is_refused_by_name_with_the_reason() -> None:
    from gpuatlas.catalog.model_names import UnmodelledModelError

    with pytest.raises(UnmodelledModelError, match="LatentMoE"):
        resolve_model_reference("NVIDIA-Nemotron-3-Super-120B-A12B-Q4_K_M.gguf", allow_hub=False)
