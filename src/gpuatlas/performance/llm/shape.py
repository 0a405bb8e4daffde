"""What an LLM in a weight format weighs and costs: bytes read per step, FLOPs per token.

Weights are counted at the format's real bits per weight. AWQ/GPTQ/FP8/INT8/NVFP4 quantise the
linear layers only (embeddings and lm_head stay 16-bit); MXFP4 checkpoints (gpt-oss) quantise the
MoE experts only, and their GGUF files keep those experts in MXFP4; GGUF mixes are counted at
their published whole-file average.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gpuatlas.catalog.formats import WeightFormat, resolve_format
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_weights import (
    MXFP4_FORMAT,
    MXFP4_MOE_FORMAT,
    gguf_keeps_mxfp4_experts,
)
from gpuatlas.performance.primitives import SCALAR, Primitives, Value

HIGH_PRECISION_BITS = 16.0


@dataclass(frozen=True)
class LlmShape:
    """Per-model, per-format constants of the speed and memory models (bytes, FLOPs)."""

    total_weight_bytes: float
    embedding_bytes: float
    step_read_bytes: float  # read every forward step, experts excluded
    expert_bytes: float  # one routed expert of one layer
    moe_layers: int
    num_experts: int
    experts_per_token: int
    matmul_flops_per_token: float  # 2 x (active non-embedding params + lm_head)
    expert_flops_per_token: float  # the routed experts' share of it: 2 x moe_layers x k x expert
    num_layers: int
    hidden_size: int
    num_attention_heads: int
    num_kv_heads: int
    is_mla: bool
    vision_bytes: float = 0.0  # the image tower held beside the language model (16-bit)
    linear_bytes: float = 0.0  # the non-expert linear layers (attention, dense MLP, shared, router)
    per_layer_table_bytes: float = 0.0  # Gemma 4 E2B/E4B's per-layer input table (in the total)

    @property
    def held_weight_bytes(self) -> float:
        """Weight bytes the GPUs hold: the language model plus a multimodal checkpoint's image
        tower (engines load it whether or not a request carries an image)."""
        return self.total_weight_bytes + self.vision_bytes

    def distinct_experts(self, tokens: Value, ops: Primitives = SCALAR) -> Value:
        """Expected experts a layer touches for `tokens` tokens: E·(1 − (1 − k/E)^tokens)."""
        if self.num_experts == 0:
            return 0.0
        share = self.experts_per_token / self.num_experts
        return self.num_experts * (1.0 - (1.0 - share) ** ops.maximum(tokens, 1.0))

    def weight_read_bytes(self, tokens: Value, ops: Primitives = SCALAR) -> Value:
        """Weight bytes one forward step over `tokens` tokens reads (MoE: experts touched)."""
        experts = self.moe_layers * self.distinct_experts(tokens, ops) * self.expert_bytes
        return self.step_read_bytes + experts


def _linear_bits(model: ModelArch, weight_format: WeightFormat) -> tuple[float, float]:
    """Bits per weight for (non-expert linear layers, routed experts). A GGUF of gpt-oss keeps
    the MXFP4 experts (`gguf_keeps_mxfp4_experts`); llama.cpp's MXFP4_MOE file type puts any
    MoE model's experts in MXFP4 and the rest in Q8_0 (formats.toml mxfp4_moe)."""
    bits = weight_format.model_bits_per_weight
    if weight_format.id == MXFP4_FORMAT and model.is_moe:
        return HIGH_PRECISION_BITS, bits
    moe_file_type = weight_format.id == MXFP4_MOE_FORMAT and model.is_moe
    if moe_file_type or gguf_keeps_mxfp4_experts(model, weight_format):
        return bits, resolve_format(MXFP4_FORMAT).bits_per_weight
    return bits, bits


def _embedding_bits(weight_format: WeightFormat) -> float:
    if (
        weight_format.family == "gguf"
        or weight_format.quantizes_embeddings
        or weight_format.bits_per_weight >= HIGH_PRECISION_BITS
    ):
        return weight_format.model_bits_per_weight
    return HIGH_PRECISION_BITS


@lru_cache(maxsize=1024)
def llm_shape(model: ModelArch, weight_format: WeightFormat) -> LlmShape:
    parts = model.parameter_breakdown()
    linear_bits, expert_bits = _linear_bits(model, weight_format)
    embedding_bits = _embedding_bits(weight_format)
    norm_bytes = parts["norms"] * 2.0
    head_params = model.vocab_size * model.hidden_size  # tied heads read the embedding table
    experts_bytes = parts["routed_experts"] * expert_bits / 8
    non_expert_linear = (
        parts["attention"]
        + parts["dense_mlp"]
        + parts["shared_experts"]
        + parts["router"]
        + parts["per_layer_inputs"]
        + parts["stream_mixing"]
    )
    linear_bytes = non_expert_linear * linear_bits / 8
    embedding_bytes = parts["embedding"] * embedding_bits / 8
    # Gemma 4 E2B/E4B: held like the embedding, read one row per token (not per step)
    per_layer_table_bytes = parts["per_layer_embedding"] * embedding_bits / 8
    lm_head_bytes = parts["lm_head"] * embedding_bits / 8
    expert_bytes = model.expert_params() * expert_bits / 8 if model.is_moe else 0.0
    return LlmShape(
        total_weight_bytes=linear_bytes
        + experts_bytes
        + embedding_bytes
        + per_layer_table_bytes
        + lm_head_bytes
        + norm_bytes,
        embedding_bytes=embedding_bytes,
        # (a KV-shared layer's K/V projections are held but not run: Gemma 4 E2B/E4B)
        step_read_bytes=linear_bytes
        - model.shared_kv_projection_params() * linear_bits / 8
        + norm_bytes
        + head_params * embedding_bits / 8,
        expert_bytes=expert_bytes,
        moe_layers=model.moe_layers,
        num_experts=model.num_experts,
        experts_per_token=model.experts_per_token,
        matmul_flops_per_token=matmul_flops_per_token(model),
        expert_flops_per_token=expert_flops_per_token(model),
        num_layers=model.num_layers,
        hidden_size=model.hidden_size,
        num_attention_heads=model.num_attention_heads,
        num_kv_heads=model.num_kv_heads,
        is_mla=model.attention_type == "mla",
        vision_bytes=vision_tower_bytes(model, weight_format),
        linear_bytes=linear_bytes,
        per_layer_table_bytes=per_layer_table_bytes,
    )


def vision_tower_bytes(model: ModelArch, weight_format: WeightFormat) -> float:
    """The image tower's bytes: 16-bit whatever the language model's format (AWQ/GPTQ/FP8
    checkpoints leave the vision encoder unquantised; llama.cpp and Ollama load it from an F16
    mmproj file), 32-bit in an fp32 run."""
    bits = max(HIGH_PRECISION_BITS, min(weight_format.bits_per_weight, 32.0))
    return model.vision_params * bits / 8


def kv_shards(model: ModelArch, tensor_parallel: int) -> int:
    """How many ways tensor parallelism splits the KV cache: KV heads are replicated once
    the TP degree exceeds them (floor of one head per GPU); MLA's latent is replicated."""
    if tensor_parallel <= 1 or model.attention_type == "mla":
        return 1
    return min(tensor_parallel, model.num_kv_heads)


def attention_layers(model: ModelArch) -> tuple[float, int, int]:
    """(full-attention layers, sliding-window layers, window tokens or 0) as the KV cache counts
    them: a full layer that caches another width per token (Gemma 4's global layers) counts
    as that many sliding layers' worth (`ModelArch.global_kv_weight`); a layer that attends
    with an earlier layer's cache (Gemma 4 E2B/E4B) keeps none."""
    full = model.cached_full_layers * model.global_kv_weight
    return full, model.cached_sliding_layers, model.sliding_window or 0


def attention_read_layers(model: ModelArch) -> tuple[float, int, int]:
    """`attention_layers` as a decode step reads the cache: every attending layer reads the
    cache it attends with, its own or the earlier layer's it shares."""
    full = model.full_attention_layers * model.global_kv_weight
    return full, len(model.sliding_window_layers), model.sliding_window or 0


def attention_flops_layers(model: ModelArch) -> tuple[float, int, int]:
    """`attention_layers` as attention FLOPs count them: a full layer of a wider head (Gemma 4's
    global layers) does that much more work per position (`ModelArch.global_flops_weight`)."""
    full = model.full_attention_layers * model.global_flops_weight
    return full, len(model.sliding_window_layers), model.sliding_window or 0


def attended_positions(
    layers: tuple[float, int, int], context_tokens: Value, ops: Primitives = SCALAR
) -> Value:
    """Layer-positions a token at `context_tokens` attends (and the KV cache holds per
    token-layer): full-attention layers see every token, sliding-window layers the window.
    `layers` is `attention_layers(model)`."""
    full, sliding, window = layers
    windowed = ops.minimum(context_tokens, window) if window else context_tokens
    return full * context_tokens + sliding * windowed


def selected_positions(model: ModelArch, context_tokens: Value, ops: Primitives = SCALAR) -> Value:
    """Cached tokens a new token's attention reads in each full-attention layer: the whole
    context, or under DeepSeek Sparse Attention the index_topk the lightning indexer selects
    (V3.2: 2,048; DeepSeek-V3.2-Exp's inference code gathers top-k indices, then runs MLA over
    those positions only)."""
    if model.index_topk <= 0:
        return context_tokens
    return ops.minimum(context_tokens, model.index_topk)


def indexer_flops_per_position(model: ModelArch) -> float:
    """The DSA lightning indexer's FLOPs per new token, cached position and layer: each of its
    index_n_heads scores the position's key, 2·index_head_dim each (q·k), plus the ReLU'd
    score weighted into the sum over heads (2 per head); 0 without an indexer."""
    if model.index_topk <= 0:
        return 0.0
    return 2.0 * model.index_n_heads * (model.index_head_dim + 1)


def attention_flops_per_position(model: ModelArch) -> float:
    """Score and value FLOPs of one new token per attended position per layer:
    2·heads·(qk_dim + v_dim) (QKᵀ and attention·V; MLA's heads are nope + rope wide)."""
    if model.kv_lora_rank > 0:
        qk_dim, v_dim = model.qk_nope_head_dim + model.qk_rope_head_dim, model.v_head_dim
    else:
        qk_dim = v_dim = model.head_dim
    return 2.0 * model.num_attention_heads * (qk_dim + v_dim)


def forward_flops_per_token(
    model: ModelArch, context_tokens: Value = 0, ops: Primitives = SCALAR
) -> Value:
    """Forward FLOPs of one token: 2·(active non-embedding params + the output matmul) plus
    attention over `context_tokens` cached tokens (0: the weight term alone)."""
    attended = attended_positions(attention_flops_layers(model), context_tokens, ops)
    return matmul_flops_per_token(model) + attention_flops_per_position(model) * attended


def matmul_flops_per_token(model: ModelArch) -> float:
    """2·(active non-embedding params + the output matmul; a tied head reads the embedding)."""
    return 2.0 * (model.active_non_embedding_params() + model.vocab_size * model.hidden_size)


def expert_flops_per_token(model: ModelArch) -> float:
    """The routed experts' matmul FLOPs of one token: 2 x MoE layers x experts per token x one
    expert's parameters (0 for a dense model; shared experts run as dense GEMMs)."""
    if not model.is_moe:
        return 0.0
    return 2.0 * model.moe_layers * model.experts_per_token * model.expert_params()


def kv_bytes_per_token_layer(model: ModelArch, kv_bytes_per_element: float) -> float:
    """Cache bytes one token adds to one attention layer: K and V (or MLA's latent) at the
    KV-cache precision, plus a DeepSeek Sparse Attention indexer's FP8 key."""
    elements = model.kv_elements_per_token_per_layer() * kv_bytes_per_element
    return elements + model.indexer_bytes_per_token_per_layer()


def kv_cache_bytes(
    model: ModelArch, kv_bytes_per_element: float, context_tokens: Value, ops: Primitives = SCALAR
) -> Value:
    """KV bytes of one sequence holding `context_tokens` whole tokens (all GPUs)."""
    per_layer = kv_bytes_per_token_layer(model, kv_bytes_per_element)
    return per_layer * attended_positions(attention_layers(model), context_tokens, ops)


def kv_bytes_per_token(
    model: ModelArch, kv_bytes_per_element: float, context_tokens: Value, ops: Primitives = SCALAR
) -> Value:
    """KV bytes per token averaged over a sequence of `context_tokens` (sliding-window layers
    keep at most the window; at 0 tokens every layer counts in full)."""
    per_layer = kv_bytes_per_token_layer(model, kv_bytes_per_element)
    full, sliding, _ = attention_layers(model)  # linear-attention layers keep a state
    every_layer = per_layer * (full + sliding)
    if not model.sliding_window_layers:
        return every_layer
    positive = context_tokens > 0
    total = kv_cache_bytes(model, kv_bytes_per_element, context_tokens, ops)
    return ops.where(positive, total / ops.where(positive, context_tokens, 1), every_layer)


def kv_bytes_per_token_per_gpu(
    model: ModelArch,
    kv_bytes_per_element: float,
    tensor_parallel: int,
    context_tokens: Value,
    ops: Primitives = SCALAR,
) -> Value:
    per_token = kv_bytes_per_token(model, kv_bytes_per_element, context_tokens, ops)
    return per_token / kv_shards(model, tensor_parallel)
