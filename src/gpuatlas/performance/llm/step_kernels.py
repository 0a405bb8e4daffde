"""Kernels one decode step of an MLX-style engine launches (pure).

An engine that runs the model as a graph of array operations, one GPU kernel each (mlx-lm:
every operation of the model's Python forward is a graph node that becomes one Metal kernel
when the graph is evaluated), pays a time per kernel whatever its size: each dispatch is
encoded, ordered behind the kernels it depends on and run to completion, and a decode step's
kernels are mostly small (norms, RoPE, cache updates, routers, one token's mat-vecs). The host's
graph building does not add to it: mlx-lm's generate_step (mlx_lm/generate.py) builds and
`mx.async_eval`s step n+1 before it reads step n's token (`y.item()`), so the Python work runs
while the GPU works. A step therefore takes bytes / (η_m x bandwidth) + kernels x the time per
kernel + the step overhead; the time per kernel is calibrated (engines.toml
kernel_overhead_us is its prior; `gpuatlas calibrate` fits it per decode group). This module
only counts kernels.

Counts per block, read from ml-explore/mlx-lm @d78bf58 (2026-08-22) for one token (views such
as reshape, transpose, split and slicing launch no kernel and are not counted):
- softmax attention (models/qwen3.py Attention and TransformerBlock): input RMSNorm, q/k/v
  quantized matmuls (3), RoPE on queries and keys (2), the KV cache's two slice updates
  (models/cache.py KVCache.update_and_fetch), fused scaled-dot-product attention, the copy that
  makes the transposed output contiguous, o_proj and the residual add: 12; per-head q/k RMSNorm
  (qk_norm) 2 more; a sigmoid output gate (qwen3_next Attention: output * sigmoid(gate)) 2 more.
- Gated DeltaNet linear attention (models/qwen3_next.py Qwen3NextGatedDeltaNet): input RMSNorm,
  in_proj_qkvz and in_proj_ba (2), the two concatenations with the convolution state (2), the
  contiguous copy of the new state, conv1d and SiLU (2), q/k RMSNorm and their scalings (4),
  sigmoid(b), compute_g, the gated-delta Metal kernel (models/gated_delta.py), the gated
  RMSNorm (2), out_proj and the residual add: 19.
- dense gated MLP (qwen3.py MLP): post-attention RMSNorm, gate and up matmuls (2), the compiled
  swiglu, down matmul, residual add: 6 (5 without a gate).
- routed experts (models/qwen3_moe.py SparseMoeBlock, models/switch_layers.py SwitchGLU):
  RMSNorm, router matmul, softmax, argpartition, take_along_axis, the top-k renormalisation
  (sum, divide), gather_qmm for up, gate and down (3), swiglu, the score multiply, the sum over
  the k experts and the residual add: 14; each shared expert (qwen3_next SparseMoeBlock) 8 more:
  its gate/up/down matmuls (3), swiglu, its gate matmul, sigmoid, multiply and add.
- a norm beyond the two per layer (Gemma's pre/post norms, ModelArch.norms_per_layer): 1 each.
- per token, once: the embedding gather, final RMSNorm, lm_head matmul, the log-softmax
  (logsumexp, subtract) and the sampler's argmax: 6.
"""

from __future__ import annotations

from gpuatlas.catalog.model_arch import ModelArch

ATTENTION_KERNELS = 12
QK_NORM_KERNELS = 2
OUTPUT_GATE_KERNELS = 2
LINEAR_ATTENTION_KERNELS = 19
GATED_MLP_KERNELS = 6
PLAIN_MLP_KERNELS = 5
ROUTED_EXPERT_KERNELS = 14
SHARED_EXPERT_KERNELS = 8
TOKEN_KERNELS = 6
BASE_NORMS_PER_LAYER = 2


def attention_block_kernels(model: ModelArch) -> int:
    """Kernels of one softmax-attention block (its norm and residual add included)."""
    kernels = ATTENTION_KERNELS
    if model.qk_norm:
        kernels += QK_NORM_KERNELS
    if model.attention_output_gate:
        kernels += OUTPUT_GATE_KERNELS
    return kernels


def mixer_kernels(model: ModelArch) -> int:
    """Kernels of every layer's token mixer: softmax attention, linear attention, or none."""
    linear = len(model.linear_attention_layers)
    attention = model.num_layers - linear - len(model.attention_free_layers)
    return attention * attention_block_kernels(model) + linear * LINEAR_ATTENTION_KERNELS


def ffn_kernels(model: ModelArch) -> int:
    """Kernels of every layer's feed-forward block: dense MLPs, routed experts (with their
    shared experts) and the norms beyond two per layer."""
    dense = GATED_MLP_KERNELS if model.gated_mlp else PLAIN_MLP_KERNELS
    routed = ROUTED_EXPERT_KERNELS + model.num_shared_experts * SHARED_EXPERT_KERNELS
    extra_norms = max(model.norms_per_layer - BASE_NORMS_PER_LAYER, 0) * model.num_layers
    return model.dense_layers * dense + model.moe_layers * routed + extra_norms


def kernels_per_token(model: ModelArch) -> int:
    """Kernels one forward step of one token launches (see the module text)."""
    return mixer_kernels(model) + ffn_kernels(model) + TOKEN_KERNELS
