"""The share of a forward pass a run recomputes in its backward pass, from its variant words.

Checkpointing policies named for the whole layer have a fixed share (variants.RECOMPUTE_SHARES:
ac-full, ac-selective-layer, ac-selective-op). llm.q names what it recomputes part by part
(IST-DASLab/llmq doc in README.md, "Recomputation": --recompute-swiglu, --recompute-norm,
--recompute-ffn, --recompute-qkv, --recompute-att, --recompute-block; src/models/
llama_model.cpp `_recompute_block`), so its share depends on the model: the FLOPs of the
recomputed parts over the whole forward's.

- recompute-block: the whole transformer block again (every layer's forward: 1.0 of the
  forward less the LM head's).
- recompute-ffn: the MLP's matmuls (gate, up and down; the active experts' of a MoE layer).
- recompute-qkv: the QKV projection.
- recompute-att: the QKV projection and the attention itself (not its output projection: "AttO
  not needed in backward pass").
- recompute-swiglu, recompute-norm: element-wise kernels only, "at the speed of memcpy": no
  matmul FLOPs (their memory traffic is the per-token traffic's recomputed share, ignored).
"""

from __future__ import annotations

from collections.abc import Set

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.performance.llm.shape import (
    attended_positions,
    attention_flops_layers,
    attention_flops_per_position,
    forward_flops_per_token,
)
from gpuatlas.performance.training.variants import variant_recompute_share

LLMQ_RECOMPUTE_WORDS = frozenset(
    {
        "recompute-block",
        "recompute-ffn",
        "recompute-qkv",
        "recompute-att",
        "recompute-swiglu",
        "recompute-norm",
    }
)


def _mlp_flops_per_token(model: ModelArch) -> float:
    if model.is_moe:
        active = model.experts_per_token + model.num_shared_experts
        return 2.0 * 3 * model.hidden_size * model.moe_intermediate_size * active
    matrices = 3 if model.gated_mlp else 2
    return 2.0 * matrices * model.hidden_size * model.intermediate_size


def _qkv_flops_per_token(model: ModelArch) -> float:
    q_width = model.num_attention_heads * model.head_dim
    kv_width = model.num_kv_heads * model.head_dim
    return 2.0 * model.hidden_size * (q_width + 2 * kv_width)


def _attention_flops_per_token(model: ModelArch, sequence_tokens: int) -> float:
    """Attention over the sequence (causal: half of it on average), all layers together."""
    attended = attended_positions(attention_flops_layers(model), sequence_tokens // 2)
    return float(attention_flops_per_position(model) * attended)


def recomputed_flops_per_token(model: ModelArch, words: Set[str], sequence_tokens: int) -> float:
    """Forward FLOPs per token that llm.q's recompute words run again."""
    head = 2.0 * model.vocab_size * model.hidden_size
    if "recompute-block" in words:
        return float(forward_flops_per_token(model, sequence_tokens // 2)) - head
    per_layer = 0.0
    if "recompute-ffn" in words:
        per_layer += _mlp_flops_per_token(model)
    if words & {"recompute-qkv", "recompute-att"}:
        per_layer += _qkv_flops_per_token(model)
    attention = 0.0
    if "recompute-att" in words:
        attention = _attention_flops_per_token(model, sequence_tokens)
    return model.num_layers * per_layer + attention


def stated_recompute_share(parts: Set[str], model: ModelArch, sequence_tokens: int) -> float | None:
    """The share of a forward pass the variant says is recomputed (None: it names no
    recomputation): the largest of a whole-layer policy's and llm.q's parts'."""
    shares = [share for share in (variant_recompute_share(parts),) if share is not None]
    words = parts & LLMQ_RECOMPUTE_WORDS
    if words:
        forward = float(forward_flops_per_token(model, sequence_tokens // 2))
        shares.append(min(1.0, recomputed_flops_per_token(model, words, sequence_tokens) / forward))
    return max(shares) if shares else None
