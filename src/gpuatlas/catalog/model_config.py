"""Hugging Face `config.json` -> `ModelArch`: reading, validating and interpreting LLM configs.

Configs name the same quantity differently across model families (`n_embd`, `d_model`...), nest
the language model of multimodal checkpoints in `text_config`, and encode MoE, MLA, sliding
windows and biases in family-specific ways; this module turns all of that into one `ModelArch`.
Every problem is reported at once as a `DataFileError` naming the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_arch_llm import ImageEncoderShape
from gpuatlas.errors import DataFileError

JsonObject = Mapping[str, Any]

_FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "hidden_size": ("hidden_size", "n_embd", "d_model", "dim"),
    "num_hidden_layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
    "num_attention_heads": ("num_attention_heads", "n_head", "num_heads", "n_heads"),
    "vocab_size": ("vocab_size", "padded_vocab_size"),
}
_REQUIRED_FIELDS = ("hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size")
_OPTIONAL_POSITIVE_FIELDS = (
    "num_key_value_heads",
    "head_dim",
    "intermediate_size",
    "max_position_embeddings",
)
_NON_GATED_MODEL_TYPES = {
    *("gpt2", "gptj", "gpt_neox", "opt", "falcon", "bloom", "phi", "starcoder2"),
    "nemotron_h",  # squared-ReLU MLP and experts: up_proj and down_proj only
}
_GEMMA3N_MODEL_TYPES = {"gemma3n", "gemma3n_text"}
_QK_NORM_MODEL_TYPES = {
    "qwen3",
    "qwen3_moe",
    "gemma3_text",
    "gemma3",
    "olmo2",
    "olmo3",
    "gemma4",
    "gemma4_text",
    *_GEMMA3N_MODEL_TYPES,
    "exaone4",  # EXAONE 4.0: per-head RMSNorm on Q and K
    *("qwen3_next", "qwen3_5", "qwen3_5_text", "qwen3_5_moe", "qwen3_5_moe_text"),
    *("qwen3_vl_text", "qwen3_vl_moe_text"),  # Qwen3-VL's language model: Qwen3's q/k norms
}
# Gated DeltaNet hybrids: `layer_types` names the linear_attention layers, else every
# `full_attention_interval`-th layer is full attention and the others linear.
_GATED_DELTANET_MODEL_TYPES = {
    "qwen3_next",
    "qwen3_5",
    "qwen3_5_text",
    "qwen3_5_moe",
    "qwen3_5_moe_text",
}
_LINEAR_ATTENTION_FIELDS = (
    "linear_num_key_heads",
    "linear_num_value_heads",
    "linear_key_head_dim",
    "linear_value_head_dim",
)
_FULL_ATTENTION_INTERVAL = 4  # transformers Qwen3NextConfig / Qwen3_5TextConfig default
_STATE_DTYPE_BYTES = {"float32": 4.0, "bfloat16": 2.0, "float16": 2.0}
_FOUR_NORM_MODEL_TYPES = {
    *("gemma2", "gemma3_text", "gemma3", "gemma4", "gemma4_text"),
    *_GEMMA3N_MODEL_TYPES,
}
_GEMMA4_MODEL_TYPES = {"gemma4", "gemma4_text"}
_QKV_BIAS_MODEL_TYPES = {"qwen2", "qwen2_moe", "qwen2_vl", "qwen2_5_vl"}
# families whose `attention_bias` biases q/k/v only: transformers builds their o_proj with
# bias=False (modeling_glm4.py, modular_glm4_moe.py), so their GGUFs carry no attn_output.bias
_QKV_ONLY_ATTENTION_BIAS_MODEL_TYPES = {"glm4", "glm4_moe"}
_WINDOW_DISABLED_MODEL_TYPES = {"qwen2", "qwen2_moe", "qwen2_5_vl"}
_QUANT_METHOD_FORMATS = {
    "fp8": "fp8",
    "fbgemm_fp8": "fp8",
    "mxfp4": "mxfp4",
    "awq": "awq-int4",
    "gptq": "gptq-int4",
}
_DTYPE_FORMATS = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32"}
# Architectures whose layers are not one repeated transformer block: counted as one, their
# memory and speed would be wrong without a warning, so their configs are refused by name.
UNMODELLED_MODEL_TYPES = {
    "falcon_h1": "Mamba-2 and attention layers side by side",
    "jamba": "Mamba layers between attention layers",
    # Not a config model_type: Nemotron-H configs with moe_latent_size are refused field by field
    # (_mamba2_problems); this names the family for names written without a config.
    "nemotron_h_latent_moe": "LatentMoE: its experts work in a smaller latent width "
    "(moe_latent_size)",
    "mamba": "a state-space model without attention",
    "mamba2": "a state-space model without attention",
}


# ----- looking values up ----------------------------------------------------------------------


def _lookup(config: JsonObject, name: str) -> tuple[str, Any]:
    """(the key found, its value) for a field, trying its synonyms; value None when absent."""
    for key in _FIELD_SYNONYMS.get(name, (name,)):
        if config.get(key) is not None:
            return key, config[key]
    return name, None


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _optional_int(config: JsonObject, *keys: str, default: int = 0) -> int:
    for key in keys:
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return default


def _llm_section(config: JsonObject) -> JsonObject:
    """The language-model part of a config (multimodal configs nest it in text_config)."""
    text_config = config.get("text_config")
    if isinstance(text_config, Mapping) and "hidden_size" not in config:
        return {
            **text_config,
            "model_type": text_config.get("model_type", config.get("model_type")),
        }
    return config


# ----- validation -----------------------------------------------------------------------------


def _required_field_problems(section: JsonObject) -> list[str]:
    problems = []
    for name in _REQUIRED_FIELDS:
        key, value = _lookup(section, name)
        if value is None:
            problems.append(f"field '{name}': missing (required for an LLM config)")
        elif not _is_positive_int(value):
            problems.append(f"field '{key}': must be a positive integer, got {value!r}")
    return problems


def _mlp_size_problems(section: JsonObject) -> list[str]:
    no_mlp_size = _optional_int(section, "intermediate_size", "moe_intermediate_size") == 0
    gated = section.get("model_type") not in _NON_GATED_MODEL_TYPES
    if no_mlp_size and gated and "intermediate_size" not in section:
        return ["field 'intermediate_size': missing (required for an LLM config)"]
    return []


def _optional_field_problems(section: JsonObject) -> list[str]:
    problems = []
    for key in _OPTIONAL_POSITIVE_FIELDS:
        value = section.get(key)
        # Gemma 3n writes its widths per layer (checked one by one: _per_layer_width_problems)
        per_layer = key == "intermediate_size" and _per_layer_widths(section) is not None
        if value is not None and not per_layer and not _is_positive_int(value):
            problems.append(f"field '{key}': must be a positive integer, got {value!r}")
    return problems


def _head_grouping_problems(section: JsonObject) -> list[str]:
    heads = section.get("num_attention_heads")
    kv_heads = section.get("num_key_value_heads")
    if isinstance(heads, int) and isinstance(kv_heads, int) and kv_heads > 0 and heads % kv_heads:
        return [
            f"field 'num_key_value_heads': {kv_heads} does not divide num_attention_heads {heads}"
        ]
    return []


def _unmodelled_architecture_problems(config: JsonObject, section: JsonObject) -> list[str]:
    model_type = str(section.get("model_type") or config.get("model_type") or "")
    reason = UNMODELLED_MODEL_TYPES.get(model_type)
    if reason is None:
        return _block_config_problems(section)
    return [
        f"field 'model_type': {model_type or 'block_configs'} is not modelled ({reason}); "
        "gpuatlas models transformers whose layers all have one shape"
    ]


# ----- NAS block_configs (Llama-Nemotron: DeciLM) -------------------------------------------

_BLOCK_FEATURES_NOT_MODELLED = ("replace_with_linear", "sparsify", "window_length")


def _blocks(section: JsonObject) -> list[JsonObject]:
    blocks = section.get("block_configs")
    return [b for b in blocks if isinstance(b, Mapping)] if isinstance(blocks, list) else []


def _block_config_problems(section: JsonObject) -> list[str]:
    """block_configs features the model does not represent: a linear stand-in for attention or
    FFN, sparsified or windowed attention, a skipped FFN, KV heads that differ per layer."""
    blocks = _blocks(section)
    problems = []
    for index, block in enumerate(blocks):
        attention, ffn = block.get("attention", {}), block.get("ffn", {})
        for part_name, part in (("attention", attention), ("ffn", ffn)):
            for feature in _BLOCK_FEATURES_NOT_MODELLED:
                if isinstance(part, Mapping) and part.get(feature):
                    problems.append(f"block_configs[{index}].{part_name}.{feature} not modelled")
        if isinstance(ffn, Mapping) and ffn.get("no_op"):
            problems.append(f"block_configs[{index}].ffn.no_op (a layer without FFN) not modelled")
    if len({group for group in _kv_groups(blocks)}) > 1:
        problems.append("block_configs: n_heads_in_group differs between layers (not modelled)")
    return [f"field 'block_configs': {problem}" for problem in problems]


def _kv_groups(blocks: list[JsonObject]) -> list[int]:
    groups = []
    for block in blocks:
        attention = block.get("attention", {})
        if isinstance(attention, Mapping) and not attention.get("no_op"):
            groups.append(int(attention.get("n_heads_in_group") or 1))
    return groups


def _ffn_width(ffn_mult: float, hidden: int) -> int:
    """DeciLM's FFN width for a multiplier: 2/3 x mult x hidden, rounded up to 256
    (configuration_decilm / modeling_decilm `_ffn_mult_to_intermediate_size`)."""
    width = int(2 * ffn_mult * hidden / 3)
    return -(-width // 256) * 256


def _block_config_fields(section: JsonObject) -> dict[str, Any]:
    """Attention-free layers, one FFN width per layer and the KV heads of block_configs."""
    blocks = _blocks(section)
    if not blocks:
        return {}
    hidden, heads = int(section["hidden_size"]), int(section["num_attention_heads"])
    widths = tuple(_ffn_width(float(b.get("ffn", {}).get("ffn_mult", 0)), hidden) for b in blocks)
    groups = _kv_groups(blocks)
    return {
        "attention_free_layers": tuple(
            i for i, b in enumerate(blocks) if b.get("attention", {}).get("no_op")
        ),
        "layer_intermediate_sizes": widths,
        "intermediate_size": max(widths),
        "num_kv_heads": heads // groups[0] if groups else heads,
    }


def validate_llm_config(config: JsonObject) -> list[str]:
    """Every problem that keeps `config` from describing an LLM, each naming its field."""
    section = _llm_section(config)
    unmodelled = _unmodelled_architecture_problems(config, section)
    if unmodelled:
        return unmodelled
    return [
        *_required_field_problems(section),
        *_mlp_size_problems(section),
        *_per_layer_width_problems(section),
        *_optional_field_problems(section),
        *_head_grouping_problems(section),
        *_linear_attention_problems(section),
        *_mamba2_problems(section),
    ]


# ----- architecture variants ------------------------------------------------------------------


def _sliding_window_layers(section: JsonObject, num_layers: int) -> tuple[int, ...]:
    window = section.get("sliding_window")
    layer_types = section.get("layer_types")
    if isinstance(layer_types, list):
        return tuple(i for i, kind in enumerate(layer_types) if kind == "sliding_attention")
    if not isinstance(window, int) or window <= 0:
        return ()
    pattern = section.get("sliding_window_pattern")
    if isinstance(pattern, int) and pattern > 0:
        return tuple(i for i in range(num_layers) if (i + 1) % pattern != 0)
    if isinstance(pattern, str) and pattern and set(pattern.upper()) <= {"L", "G"}:
        # EXAONE 4.0: "LLLG", one letter per layer repeated (L local/sliding, G global)
        letters = pattern.upper()
        return tuple(i for i in range(num_layers) if letters[i % len(letters)] == "L")
    if section.get("model_type") == "gemma2":
        return tuple(range(0, num_layers, 2))
    if section.get("use_sliding_window") is False:
        return ()
    if section.get("model_type") in _WINDOW_DISABLED_MODEL_TYPES:
        return ()  # Qwen2 ships a window but disables it (use_sliding_window false)
    return tuple(range(num_layers))


def _chunked_attention_fields(section: JsonObject, num_layers: int) -> dict[str, Any]:
    """Llama 4: the RoPE layers attend within chunks of `attention_chunk_size` tokens, the NoPE
    layers (no_rope_layers 0, by default every `no_rope_layer_interval`-th) to everything
    (transformers Llama4TextConfig layer_types 'chunked_attention' / 'full_attention'). A chunked
    layer holds and reads at most one chunk: modelled as a sliding window of that size."""
    chunk = section.get("attention_chunk_size")
    if not str(section.get("model_type") or "").startswith("llama4") or not _is_positive_int(chunk):
        return {}
    uses_rope = section.get("no_rope_layers")
    if not isinstance(uses_rope, list) or len(uses_rope) != num_layers:
        interval = _optional_int(section, "no_rope_layer_interval", default=4)
        uses_rope = [int((i + 1) % interval != 0) for i in range(num_layers)]
    return {
        "sliding_window": chunk,
        "sliding_window_layers": tuple(i for i, rope in enumerate(uses_rope) if rope),
    }


def _sliding_window_fields(section: JsonObject, num_layers: int) -> dict[str, Any]:
    chunked = _chunked_attention_fields(section, num_layers)
    if chunked:
        return chunked
    window = section.get("sliding_window")
    return {
        "sliding_window": window if isinstance(window, int) and window > 0 else None,
        "sliding_window_layers": _sliding_window_layers(section, num_layers),
    }


def _linear_attention_layers(section: JsonObject, num_layers: int) -> tuple[int, ...]:
    layer_types = section.get("layer_types")
    if isinstance(layer_types, list):
        return tuple(i for i, kind in enumerate(layer_types) if kind == "linear_attention")
    interval = section.get("full_attention_interval", _FULL_ATTENTION_INTERVAL)
    if section.get("model_type") in _GATED_DELTANET_MODEL_TYPES and _is_positive_int(interval):
        return tuple(i for i in range(num_layers) if (i + 1) % interval != 0)
    return ()


def _linear_attention_fields(section: JsonObject, num_layers: int) -> dict[str, Any]:
    """Gated DeltaNet layers (Qwen3-Next, Qwen3.5): the layers, one mixer's parameters and the
    state one sequence keeps per layer, from the `linear_*` fields (transformers
    Qwen3NextGatedDeltaNet: in_proj_qkvz hidden -> 2 x key + 2 x value, in_proj_ba hidden ->
    2 x value heads, a depthwise conv over q, k, v of `linear_conv_kernel_dim` taps, dt_bias
    and A_log per value head, a gated RMSNorm of one value head, out_proj value -> hidden;
    state: value heads x key dim x value dim, conv: conv channels x (kernel - 1))."""
    layers = _linear_attention_layers(section, num_layers)
    if not layers:
        return {}
    hidden = int(section["hidden_size"])
    key_heads = _optional_int(section, "linear_num_key_heads")
    value_heads = _optional_int(section, "linear_num_value_heads")
    key_dim = _optional_int(section, "linear_key_head_dim")
    value_dim = _optional_int(section, "linear_value_head_dim")
    kernel = _optional_int(section, "linear_conv_kernel_dim", default=4)
    keys, values = key_heads * key_dim, value_heads * value_dim
    conv_channels = 2 * keys + values
    mixer = (
        hidden * (2 * keys + 2 * values + 2 * value_heads)
        + conv_channels * kernel
        + 2 * value_heads
        + value_dim
        + values * hidden
    )
    return {
        "linear_attention_layers": layers,
        "linear_mixer_params": mixer,
        "recurrent_ssm_state_elements": value_heads * key_dim * value_dim,
        "recurrent_conv_state_elements": conv_channels * (kernel - 1),
        "recurrent_state_dtype_bytes": _STATE_DTYPE_BYTES.get(
            str(section.get("mamba_ssm_dtype", "float32")), 4.0
        ),
    }


def _linear_attention_problems(section: JsonObject) -> list[str]:
    if not _linear_attention_layers(section, int(section.get("num_hidden_layers") or 0)):
        return []
    names = _LINEAR_ATTENTION_FIELDS
    return [
        f"field '{name}': missing or not a positive integer (required for linear-attention layers)"
        for name in names
        if not _is_positive_int(section.get(name))
    ]


# ----- Mamba-2 hybrids (Granite 4.0 H, Nemotron-H) ------------------------------------------

# Mamba-2 mixer fields as each family spells them (transformers GraniteMoeHybridConfig /
# NemotronHConfig): heads, head size, SSM state size, B/C groups, convolution taps, biases.
_MAMBA_FIELDS: dict[str, tuple[str, ...]] = {
    "heads": ("mamba_n_heads", "mamba_num_heads"),
    "head_dim": ("mamba_d_head", "mamba_head_dim"),
    "state": ("mamba_d_state", "ssm_state_size"),
    "groups": ("mamba_n_groups", "n_groups"),
    "kernel": ("mamba_d_conv", "conv_kernel"),
}
_MAMBA_REQUIRED = ("heads", "head_dim", "state")
_MAMBA2_MODEL_TYPES = {"granitemoehybrid", "nemotron_h"}
# Nemotron-H's block letters (hybrid_override_pattern) and names (layers_block_type).
_NEMOTRON_BLOCKS = {
    "M": "mamba",
    "*": "attention",
    "-": "mlp",
    "E": "moe",
    "mamba": "mamba",
    "attention": "attention",
    "full_attention": "attention",
    "mlp": "mlp",
    "moe": "moe",
}


def _mamba_value(section: JsonObject, name: str, default: int = 0) -> int:
    return _optional_int(section, *_MAMBA_FIELDS[name], default=default)


def _layer_kinds(section: JsonObject) -> list[str]:
    """Each layer's block: 'mamba', 'attention', 'mlp' or 'moe' (Nemotron-H: one block per
    layer, from layers_block_type or the hybrid_override_pattern letters; Granite 4.0 H: the
    mixer of each layer from layer_types, every layer also has its MLP)."""
    model_type = section.get("model_type")
    if model_type == "nemotron_h":
        blocks = section.get("layers_block_type") or section.get("hybrid_override_pattern") or []
        return [_NEMOTRON_BLOCKS.get(str(block), "unknown") for block in blocks]
    if model_type == "granitemoehybrid":
        layer_types = section.get("layer_types")
        if isinstance(layer_types, list):
            return [str(kind) for kind in layer_types]
        return ["attention"] * int(section.get("num_hidden_layers") or 0)
    return []


def _mamba2_problems(section: JsonObject) -> list[str]:
    if section.get("model_type") not in _MAMBA2_MODEL_TYPES:
        return []
    kinds = _layer_kinds(section)
    problems = [
        f"field '{_MAMBA_FIELDS[name][0]}' (or '{_MAMBA_FIELDS[name][1]}'): missing or not a "
        "positive integer (required for Mamba-2 layers)"
        for name in _MAMBA_REQUIRED
        if "mamba" in kinds and _mamba_value(section, name) <= 0
    ]
    layers = section.get("num_hidden_layers")
    if section.get("model_type") == "nemotron_h":
        if _is_positive_int(section.get("moe_latent_size")):
            problems.append(
                "field 'moe_latent_size': LatentMoE (experts in a smaller latent width, "
                "Nemotron 3 Super/Ultra) is not modelled"
            )
        if "unknown" in kinds:
            problems.append(
                "field 'hybrid_override_pattern': blocks are M (Mamba-2), * (attention), "
                "- (MLP) or E (MoE)"
            )
        if isinstance(layers, int) and kinds and len(kinds) != layers:
            problems.append(
                f"field 'hybrid_override_pattern': {len(kinds)} blocks for {layers} layers"
            )
    return problems


def _mamba2_mixer(section: JsonObject, hidden: int) -> dict[str, Any]:
    """One Mamba-2 mixer (transformers Bamba/GraniteMoeHybrid/NemotronH Mamba2Mixer): in_proj
    hidden -> z, x, B, C and dt (2 x inner + 2 x groups x state + heads), a depthwise conv
    over x, B, C, dt_bias / A_log / D per head, a gated RMSNorm of the inner width, out_proj
    inner -> hidden; state: heads x head size x state size, conv: channels x (taps - 1)."""
    heads = _mamba_value(section, "heads")
    inner = heads * _mamba_value(section, "head_dim")
    state = _mamba_value(section, "state")
    kernel = _mamba_value(section, "kernel", default=4)
    conv_channels = inner + 2 * _mamba_value(section, "groups", default=1) * state
    projection_out = inner + conv_channels + heads
    proj_bias = bool(section.get("mamba_proj_bias", section.get("use_bias", False)))
    conv_bias = bool(section.get("mamba_conv_bias", section.get("use_conv_bias", True)))
    mixer = (
        hidden * projection_out
        + conv_channels * kernel
        + 3 * heads
        + inner
        + inner * hidden
        + (projection_out + hidden if proj_bias else 0)
        + (conv_channels if conv_bias else 0)
    )
    return {
        "recurrent_mixer": "mamba2",
        "linear_mixer_params": mixer,
        "recurrent_ssm_state_elements": inner * state,
        "recurrent_conv_state_elements": conv_channels * (kernel - 1),
        "recurrent_state_dtype_bytes": _STATE_DTYPE_BYTES.get(
            str(section.get("mamba_ssm_cache_dtype", "float32")), 4.0
        ),
    }


def _mamba2_fields(section: JsonObject) -> dict[str, Any]:
    """Granite 4.0 H: Mamba-2 or attention mixer in each layer, each followed by its MLP
    (dense: the shared MLP of shared_intermediate_size; MoE: routed experts plus that shared
    expert). Nemotron-H: each layer is one block, a Mamba-2 mixer, attention, a dense MLP or
    a MoE, with one norm before it."""
    model_type = section.get("model_type")
    if model_type not in _MAMBA2_MODEL_TYPES:
        return {}
    kinds = _layer_kinds(section)
    fields: dict[str, Any] = {
        "linear_attention_layers": tuple(i for i, kind in enumerate(kinds) if kind == "mamba"),
    }
    if fields["linear_attention_layers"]:
        fields |= _mamba2_mixer(section, int(section["hidden_size"]))
    if model_type == "granitemoehybrid":
        if _optional_int(section, "num_local_experts") <= 1:
            shared = _optional_int(section, "shared_intermediate_size")
            fields["intermediate_size"] = shared or _optional_int(section, "intermediate_size")
        return fields
    width = _optional_int(section, "intermediate_size")
    return fields | {
        "norms_per_layer": 1,
        "attention_free_layers": tuple(i for i, kind in enumerate(kinds) if kind in ("mlp", "moe")),
        "layer_intermediate_sizes": tuple(width if kind == "mlp" else 0 for kind in kinds),
        "moe_layer_indices": tuple(i for i, kind in enumerate(kinds) if kind == "moe"),
    }


# ----- Gemma 4 ---------------------------------------------------------------------------------


# Vision configs of fixed-resolution towers whose shapes the encoder's memory is counted from
# (SigLIP: Gemma 3's 'siglip_vision_model', 27 x 1152, MLP 4304, 896 px in 14 px patches).
_FIXED_RESOLUTION_TOWERS = ("siglip_vision_model",)


def _image_encoder_fields(config: JsonObject) -> dict[str, Any]:
    """The image encoder's shapes where config.json fixes every image's size and its token
    count in the language model (vision_config of a SigLIP tower and mm_tokens_per_image, as
    Gemma3ForConditionalGeneration has them); nothing otherwise."""
    vision = config.get("vision_config")
    if not isinstance(vision, Mapping) or vision.get("model_type") not in _FIXED_RESOLUTION_TOWERS:
        return {}
    shape = {
        "hidden_size": _optional_int(vision, "hidden_size"),
        "intermediate_size": _optional_int(vision, "intermediate_size"),
        "layers": _optional_int(vision, "num_hidden_layers"),
        "image_size": _optional_int(vision, "image_size"),
        "patch_size": _optional_int(vision, "patch_size"),
        "llm_tokens_per_image": _optional_int(config, "mm_tokens_per_image"),
    }
    if min(shape.values()) <= 0:
        return {}
    return {"image_encoder": ImageEncoderShape(**shape)}


def _gemma4_fields(section: JsonObject) -> dict[str, Any]:
    """Gemma 4 (transformers Gemma4TextConfig): global layers of global_head_dim with
    num_global_key_value_heads, V = K under attention_k_eq_v; the MoE checkpoints (26B-A4B) run
    a dense MLP of intermediate_size beside the routed experts in every layer (read as one
    always-active shared expert)."""
    if section.get("model_type") not in _GEMMA4_MODEL_TYPES:
        return {}
    fields: dict[str, Any] = {
        "global_head_dim": _optional_int(section, "global_head_dim"),
        "num_global_kv_heads": _optional_int(section, "num_global_key_value_heads"),
        "attention_k_eq_v": bool(section.get("attention_k_eq_v", False)),
    }
    if _optional_int(section, "num_experts") > 1:
        fields |= {
            "num_shared_experts": 1,
            "shared_expert_intermediate_size": _optional_int(section, "intermediate_size"),
        }
    return fields | _gemma4_edge_fields(section)


def _gemma4_edge_fields(section: JsonObject, double_wide: bool = True) -> dict[str, Any]:
    """Gemma 4 E2B/E4B (transformers Gemma4TextConfig; mlx-lm models/gemma4_text.py): a
    per-layer input of hidden_size_per_layer_input read from a table of
    vocab_size_per_layer_input rows (one row per token holds every layer's slice), the last
    num_kv_shared_layers layers attending with the cache of the last earlier layer of their
    kind, and under use_double_wide_mlp (the default) those layers' MLP twice as wide."""
    width = _optional_int(section, "hidden_size_per_layer_input")
    layers = _optional_int(section, "num_hidden_layers")
    shared = min(_optional_int(section, "num_kv_shared_layers"), max(layers - 1, 0))
    fields: dict[str, Any] = {}
    if width > 0:
        fields |= {
            "per_layer_input_size": width,
            "per_layer_vocab_size": _optional_int(
                section, "vocab_size_per_layer_input", "vocab_size"
            ),
        }
    if shared > 0:
        fields["kv_shared_layers"] = tuple(range(layers - shared, layers))
        if double_wide and bool(section.get("use_double_wide_mlp", True)):
            mlp = _optional_int(section, "intermediate_size")
            fields["layer_intermediate_sizes"] = (mlp,) * (layers - shared) + (2 * mlp,) * shared
    return fields


def _gemma3n_fields(section: JsonObject) -> dict[str, Any]:
    """Gemma 3n E2B/E4B (transformers Gemma3nTextConfig; mlx-lm models/gemma3n.py): Gemma 4 E's
    per-layer inputs and KV-shared layers (without the double-wide MLP, which Gemma 3n has
    not), intermediate_size written per layer, AltUp's altup_num_inputs streams and LAuReL's
    rank-laurel_rank residual in every layer."""
    if section.get("model_type") not in _GEMMA3N_MODEL_TYPES:
        return {}
    fields: dict[str, Any] = {
        "altup_inputs": _optional_int(section, "altup_num_inputs"),
        "laurel_rank": _optional_int(section, "laurel_rank"),
    }
    widths = _per_layer_widths(section)
    if widths:
        fields |= {
            "layer_intermediate_sizes": tuple(int(width) for width in widths),
            "intermediate_size": max(int(width) for width in widths),
        }
    return fields | _gemma4_edge_fields(section, double_wide=False)


def _per_layer_widths(section: JsonObject) -> list[Any] | None:
    """Gemma 3n's intermediate_size, written per layer; None otherwise (another family's list
    is refused as not a positive integer)."""
    widths = section.get("intermediate_size")
    if isinstance(widths, list) and section.get("model_type") in _GEMMA3N_MODEL_TYPES:
        return widths
    return None


def _per_layer_width_problems(section: JsonObject) -> list[str]:
    """intermediate_size written per layer (Gemma 3n): one positive width per layer."""
    widths = _per_layer_widths(section)
    if widths is None:
        return []
    layers = section.get("num_hidden_layers")
    if not all(isinstance(width, int) and width > 0 for width in widths) or len(widths) != layers:
        return [
            f"field 'intermediate_size': a list needs one positive width per layer "
            f"({layers} layers, {len(widths)} widths)"
        ]
    return []


# One shared expert's width: Qwen2-MoE/Qwen3-Next, Granite 4.0 H, Nemotron-H.
_SHARED_WIDTH_FIELDS = (
    "shared_expert_intermediate_size",
    "shared_intermediate_size",
    "moe_shared_expert_intermediate_size",
)


def _moe_fields(section: JsonObject) -> dict[str, Any]:
    experts = _optional_int(
        section, "num_local_experts", "n_routed_experts", "num_experts", "moe_num_experts"
    )
    if experts <= 1 or _pattern_without_moe(section):
        return {}
    intermediate = _optional_int(section, "intermediate_size")
    return {
        "num_experts": experts,
        "experts_per_token": _optional_int(
            section,
            "num_experts_per_tok",
            "experts_per_token",
            "moe_topk",
            "top_k_experts",
            "moe_k",
            default=1,
        ),
        "moe_intermediate_size": _optional_int(
            section, "moe_intermediate_size", default=intermediate
        ),
        "num_shared_experts": _shared_expert_count(section),
        "shared_expert_intermediate_size": _optional_int(section, *_SHARED_WIDTH_FIELDS),
        "first_k_dense_layers": _optional_int(section, "first_k_dense_replace"),
        **_interleaved_moe_fields(section, intermediate),
        **_ernie_moe_layer_fields(section),
    }


def _pattern_without_moe(section: JsonObject) -> bool:
    """A Nemotron-H whose blocks name no MoE layer is dense whatever expert count it carries
    (configs saved by transformers write NemotronHConfig's default n_routed_experts)."""
    return section.get("model_type") == "nemotron_h" and "moe" not in _layer_kinds(section)


def _shared_expert_count(section: JsonObject) -> int:
    """Shared experts per MoE layer: the count a config states, else one when it gives a
    shared expert's width alone (Qwen2-MoE, Qwen3-Next, Qwen3.5: one shared_expert MLP)."""
    count = _optional_int(
        section, "n_shared_experts", "num_shared_experts", "moe_num_shared_experts"
    )
    if count == 0 and _optional_int(section, *_SHARED_WIDTH_FIELDS) > 0:
        return 1
    return count


def _interleaved_moe_fields(section: JsonObject, intermediate: int) -> dict[str, Any]:
    """Llama 4: MoE every `interleave_moe_layer_step` layers, dense layers `intermediate_size_mlp`
    wide, and one shared expert as wide as a routed one in every MoE layer (its config has no
    shared-expert count: the modelling code always builds it)."""
    if not str(section.get("model_type") or "").startswith("llama4"):
        return {}
    return {
        "moe_layer_step": _optional_int(section, "interleave_moe_layer_step", default=1),
        "dense_intermediate_size": _optional_int(section, "intermediate_size_mlp"),
        "num_shared_experts": 1,
        "shared_expert_intermediate_size": intermediate,
    }


def _ernie_moe_layer_fields(section: JsonObject) -> dict[str, Any]:
    """ERNIE 4.5 MoE (transformers Ernie4_5_MoeDecoderLayer): layer i holds routed experts when
    (i + 1) % moe_layer_interval == 0 and moe_layer_start_index <= i <= moe_layer_end_index
    (-1 or absent: the last layer); the others run a dense MLP of intermediate_size. Its shared
    experts are one MLP of moe_num_shared_experts x moe_intermediate_size, counted as that many
    experts of moe_intermediate_size (the same parameters)."""
    start = section.get("moe_layer_start_index")
    if not isinstance(start, int) or isinstance(start, bool):
        return {}
    layers = _optional_int(section, "num_hidden_layers")
    end = _optional_int(section, "moe_layer_end_index", default=-1)
    last = layers - 1 if end < 0 else end
    interval = max(_optional_int(section, "moe_layer_interval", default=1), 1)
    return {
        "moe_layer_indices": tuple(
            i for i in range(layers) if (i + 1) % interval == 0 and start <= i <= last
        )
    }


def _mla_fields(section: JsonObject) -> dict[str, Any]:
    kv_lora_rank = _optional_int(section, "kv_lora_rank")
    if kv_lora_rank <= 0:
        return {}
    return {
        "kv_lora_rank": kv_lora_rank,
        "q_lora_rank": _optional_int(section, "q_lora_rank"),
        "qk_rope_head_dim": _optional_int(section, "qk_rope_head_dim"),
        "qk_nope_head_dim": _optional_int(section, "qk_nope_head_dim"),
        "v_head_dim": _optional_int(section, "v_head_dim"),
        # DeepSeek Sparse Attention (deepseek_v32): the lightning indexer's cached key width
        # and the tokens each query attends (top-k of the indexer's scores)
        "index_head_dim": _optional_int(section, "index_head_dim"),
        "index_n_heads": _optional_int(section, "index_n_heads"),
        "index_topk": _optional_int(section, "index_topk"),
    }


def _bias_fields(section: JsonObject) -> dict[str, Any]:
    model_type = section.get("model_type")
    attention_bias = bool(section.get("attention_bias", False))
    return {
        "attention_bias": attention_bias or model_type in _QKV_BIAS_MODEL_TYPES,
        "attention_output_bias": attention_bias
        and model_type not in _QKV_BIAS_MODEL_TYPES | _QKV_ONLY_ATTENTION_BIAS_MODEL_TYPES,
        "mlp_bias": bool(section.get("mlp_bias", False)) or model_type == "gpt_oss",
    }


def _family_fields(section: JsonObject) -> dict[str, Any]:
    """Block details that follow from the model family rather than from explicit fields."""
    model_type = str(section.get("model_type") or "")
    return {
        "gated_mlp": model_type not in _NON_GATED_MODEL_TYPES,
        "qk_norm": model_type in _QK_NORM_MODEL_TYPES,
        "norms_per_layer": 4 if model_type in _FOUR_NORM_MODEL_TYPES else 2,
        "attention_output_gate": bool(section.get("attn_output_gate", False))
        or model_type == "qwen3_next",
    }


def _bits_format(bits: object, kind: str) -> str:
    """A format id for `bits`-bit weights of a kind ('int' or 'float'); '' when unknown."""
    if bits == 4:
        return "gptq-int4" if kind == "int" else "nvfp4"
    if bits == 8:
        return "int8" if kind == "int" else "fp8"
    return ""


def _compressed_tensors_format(quantization: JsonObject) -> str:
    """compressed-tensors (llm-compressor, Neural Magic/Red Hat): the weights' num_bits and type
    in the first config group ('W4A16' int 4 bits, 'FP8-dynamic' float 8 bits, 'W8A8' int 8)."""
    groups = quantization.get("config_groups")
    if not isinstance(groups, Mapping):
        return ""
    for group in groups.values():
        weights = group.get("weights") if isinstance(group, Mapping) else None
        if isinstance(weights, Mapping):
            return _bits_format(weights.get("num_bits"), str(weights.get("type", "int")))
    return ""


def _bitsandbytes_format(quantization: JsonObject) -> str:
    if quantization.get("load_in_4bit") or quantization.get("_load_in_4bit"):
        return "nf4"
    if quantization.get("load_in_8bit") or quantization.get("_load_in_8bit"):
        return "bnb-int8"  # LLM.int8 (outlier decomposition), not W8A8
    return "nf4"


def _modelopt_format(quantization: JsonObject) -> str:
    algorithm = str(quantization.get("quant_algo", "")).lower()
    return {"fp8": "fp8", "nvfp4": "nvfp4", "w4a16_awq": "awq-int4"}.get(algorithm, "")


def _quantization_format(quantization: JsonObject) -> str:
    """The catalog format id a `quantization_config` describes ('' when not understood)."""
    method = str(quantization.get("quant_method", "")).lower()
    if method == "compressed-tensors":
        return _compressed_tensors_format(quantization)
    if method == "bitsandbytes":
        return _bitsandbytes_format(quantization)
    if method == "modelopt":
        return _modelopt_format(quantization)
    if method in ("awq", "gptq") and quantization.get("bits") == 8:
        return "int8"
    if method in ("auto-round", "auto_round"):
        return _auto_round_format(quantization)
    return _QUANT_METHOD_FORMATS.get(method, "")


def _auto_round_format(quantization: JsonObject) -> str:
    """Intel AutoRound's export: 4-bit integer weights in GPTQ's packing by default
    ('auto_round:auto_gptq'; vLLM runs them on its GPTQ kernels), AWQ's where the packing says
    so, 8-bit as int8; '' for other widths or data types (its MX/NV FP variants)."""
    if str(quantization.get("data_type", "int")).lower() != "int":
        return ""
    bits = quantization.get("bits")
    if bits == 8:
        return "int8"
    if bits != 4:
        return ""
    packing = str(quantization.get("packing_format", "")).lower()
    return "awq-int4" if "awq" in packing else "gptq-int4"


def _checkpoint_format(config: JsonObject, section: JsonObject) -> str:
    """The catalog format id of the published weights: quantization_config, else torch_dtype."""
    quantization = config.get("quantization_config")
    if isinstance(quantization, Mapping):
        found = _quantization_format(quantization)
        if found:
            return found
    dtype = section.get("torch_dtype") or config.get("torch_dtype") or config.get("dtype")
    return _DTYPE_FORMATS.get(str(dtype), "")


# ----- shapes ---------------------------------------------------------------------------------


def _head_dim(section: JsonObject, hidden: int, heads: int, mla: dict[str, Any]) -> int:
    if mla:
        return int(mla["qk_nope_head_dim"] + mla["qk_rope_head_dim"])
    return _optional_int(section, "head_dim", default=hidden // heads)


def _shape_fields(config: JsonObject, section: JsonObject, mla: dict[str, Any]) -> dict[str, Any]:
    """Sizes every decoder-only transformer has (already validated as positive integers)."""
    hidden = _lookup(section, "hidden_size")[1]
    heads = _lookup(section, "num_attention_heads")[1]
    tied = section.get("tie_word_embeddings", config.get("tie_word_embeddings", False))
    return {
        "hidden_size": hidden,
        "num_layers": _lookup(section, "num_hidden_layers")[1],
        "num_attention_heads": heads,
        "num_kv_heads": _optional_int(section, "num_key_value_heads", "n_head_kv", default=heads),
        "head_dim": _head_dim(section, hidden, heads, mla),
        "intermediate_size": _optional_int(
            section, "intermediate_size", "n_inner", "ffn_dim", default=4 * hidden
        ),
        "vocab_size": _lookup(section, "vocab_size")[1],
        "tie_word_embeddings": bool(tied),
        "max_position_embeddings": _optional_int(
            section, "max_position_embeddings", "n_positions", "max_sequence_length"
        ),
    }


def arch_from_config(
    config: JsonObject,
    *,
    model_id: str,
    hub_id: str = "",
    family: str = "",
    origin: str = "config.json",
) -> ModelArch:
    """Build a ModelArch from a Hugging Face config.json (raises DataFileError naming fields)."""
    problems = validate_llm_config(config)
    if problems:
        raise DataFileError(origin, problems)
    section = _llm_section(config)
    mla = _mla_fields(section)
    shape = {**_shape_fields(config, section, mla), **_block_config_fields(section)}
    fields = {
        **shape,
        **_family_fields(section),
        **_sliding_window_fields(section, shape["num_layers"]),
        **_linear_attention_fields(section, shape["num_layers"]),
        **_bias_fields(section),
        **_moe_fields(section),
        **mla,
        **_mamba2_fields(section),
        **_gemma4_fields(section),
        **_gemma3n_fields(section),
        **_image_encoder_fields(config),
    }
    return ModelArch(
        id=model_id,
        hub_id=hub_id,
        family=family or str(section.get("model_type") or ""),
        checkpoint_format=_checkpoint_format(config, section),
        source=origin,
        **fields,
    )


# ----- files ----------------------------------------------------------------------------------


def read_config_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file (raises DataFileError: missing, unreadable, invalid, not an
    object)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(str(path), ["file not found"]) from None
    except OSError as error:
        raise DataFileError(str(path), [f"cannot read: {error}"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(
            str(path), [f"line {error.lineno}: invalid JSON: {error.msg}"]
        ) from None
    if not isinstance(data, dict):
        raise DataFileError(str(path), ["top level must be a JSON object (a config.json)"])
    return data


def model_slug(text: str) -> str:
    """A library-style id from a repo or file name ('Llama-3.1-8B' -> 'llama-3.1-8b')."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "custom-model"


__all__ = [
    "UNMODELLED_MODEL_TYPES",
    "JsonObject",
    "arch_from_config",
    "model_slug",
    "read_config_json",
    "validate_llm_config",
]
