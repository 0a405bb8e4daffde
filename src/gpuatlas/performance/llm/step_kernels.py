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
- per-layer inputs (Gemma 4 E2B/E4B, mlx-lm models/gemma4_text.py @7841185): in each layer the
  input gate matmul, gelu_approx, the multiply by the layer's slice, the projection matmul, its
  RMSNorm and the residual add: 6; once per token the per-layer table's gather and scaling,
  per_layer_model_projection (a matmul and its scalar), the projection norm, the add and the
  input scale: 7 (the layer's slice of it is a view).
- AltUp and LAuReL (Gemma 3n, mlx-lm models/gemma3n.py @d78bf58): in each layer AltUp's
  predict (the router's RMSNorm, scale, matmul, float cast and tanh; the coefficients' clip and
  matmul; the streams' cast, the mixing matmul, the add and the cast back: 11), LAuReL (two
  matmuls, its norm and add: 4), the attention output's add of LAuReL and its scaling (2),
  AltUp's correct (the router's 5, the clip, the coefficients' matmul and +1, the innovation's
  subtract, the multiply, the add to the predictions and the cast: 12) and, around the
  per-layer input, the output scale and the update of the other streams (2): 31; once per
  token the streams' expansion (the magnitude's square, mean and root, three projections, the
  stack, the new streams' magnitudes (3), maximum, divide, multiply, the slice update: 14) and
  their merge at the end (the magnitude (3), three projections and three slice updates, the
  magnitudes (3), maximum, divide, multiply, update and the mean over streams: 17): 31.

What a step pays for is not each kernel but each dependent stage. MLX encodes a step's kernels
into one Metal compute encoder of MTL::DispatchTypeConcurrent (ml-explore/mlx @846d176,
mlx/backend/metal/device.cpp get_command_encoder), so the GPU may run them together; the
encoder inserts a memoryBarrier before a kernel only when it reads a buffer written (or writes
one read) since the last barrier (set_input_array / register_output_array /
maybeInsertBarrier). The graph is evaluated in breadth-first order from its outputs
(mlx/transforms.cpp eval_impl, MLX_BFS_MAX_WIDTH 20), so kernels that do not depend on each
other (q/k/v projections, gate and up, the key and value cache updates) sit between the same
two barriers and run concurrently, and a step's GPU time is set by the chain of dependent
stages: its drain-and-restart at every barrier. Stages per block (the longest chain of
dependent kernels, same code as above):
- softmax attention: norm, q/k/v projections, RoPE, cache updates, attention, contiguous copy,
  o_proj, residual add: 8; q/k norms 1 more (between the projections and RoPE); a sigmoid
  output gate 1 more (its sigmoid runs beside the attention, the multiply after it).
- Gated DeltaNet: norm, in_proj_qkvz with in_proj_ba, the two concatenations (2), conv1d (the
  conv-state copy beside it), SiLU, q/k RMSNorm, their scaling, the gated-delta kernel
  (compute_g and sigmoid(b) beside the earlier stages), the gated RMSNorm (2), out_proj and the
  residual add: 13.
- gated MLP: norm, gate with up, swiglu, down, add: 5; without a gate: norm, up, activation,
  down, add: 5.
- routed experts: norm, router, softmax, argpartition, the up/gate gather_qmm (take_along_axis
  beside them), swiglu (the score sum beside it), the down gather_qmm (the division beside it),
  the score multiply, the sum over the k experts and the residual add: 10; a shared expert runs
  beside the routed chain and adds 1 (its add to the routed sum).
- a norm beyond two per layer: 1 (Gemma's post-norms sit on the residual path).
- per token: 6 (the embedding gather, final norm, lm_head, logsumexp, subtract, argmax are a
  chain).
- per-layer inputs: 6 per layer (gate, gelu, multiply, projection, norm, add are a chain); 5
  per token (the projection matmul, its scalar, the norm, the add with the gathered rows and
  the scale; the gather and its scaling run beside the matmul).
- AltUp and LAuReL: per layer the predict chain (norm, scale, router, cast, tanh, coefficients,
  mixing matmul, add, cast: 9; the clip and the streams' cast beside it), LAuReL beside the
  attention (0), the add and scaling after it (2), the correct chain (norm, scale, router,
  cast, tanh, coefficients, +1, multiply, add, cast: 10) and the output scale and stream update
  (2): 23; per token the expansion (projections, stack, square, mean, root, maximum, divide,
  multiply, update: 9) and the merge (projections, updates, square, mean, root, maximum,
  divide, multiply, update, mean: 10): 19.
"""

from __future__ import annotations

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.performance.engine_profiles import KernelGraph
from gpuatlas.performance.llm.ggml_nodes import UNFUSED, GraphPath, ggml_nodes_per_token
from gpuatlas.performance.llm.layer_kinds import mixer_layers, per_layer_and_token

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
# a KV-shared layer (Gemma 4 E2B/E4B) skips k_proj, v_proj, k_norm, RoPE on the keys and the two
# cache updates (mlx-lm gemma4_text Attention: its shared_kv path); of the stages, the updates'
SHARED_KV_SKIPPED_KERNELS = 6
SHARED_KV_SKIPPED_STAGES = 1
PER_LAYER_INPUT_KERNELS = 6
PER_LAYER_TOKEN_KERNELS = 7

ATTENTION_STAGES = 8
QK_NORM_STAGES = 1
OUTPUT_GATE_STAGES = 1
LINEAR_ATTENTION_STAGES = 13
MLP_STAGES = 5
ROUTED_EXPERT_STAGES = 10
SHARED_EXPERT_STAGES = 1
TOKEN_STAGES = 6
PER_LAYER_INPUT_STAGES = 6
PER_LAYER_TOKEN_STAGES = 5
STREAM_MIXING_LAYER_KERNELS = 31
STREAM_MIXING_TOKEN_KERNELS = 31
STREAM_MIXING_LAYER_STAGES = 23
STREAM_MIXING_TOKEN_STAGES = 19


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
    attention, linear = mixer_layers(model)
    shared = len(model.kv_shared_layers) * SHARED_KV_SKIPPED_KERNELS
    return attention * attention_block_kernels(model) + linear * LINEAR_ATTENTION_KERNELS - shared


def ffn_kernels(model: ModelArch) -> int:
    """Kernels of every layer's feed-forward block: dense MLPs, routed experts (with their
    shared experts) and the norms beyond two per layer."""
    dense = GATED_MLP_KERNELS if model.gated_mlp else PLAIN_MLP_KERNELS
    routed = ROUTED_EXPERT_KERNELS + model.num_shared_experts * SHARED_EXPERT_KERNELS
    extra_norms = max(model.norms_per_layer - BASE_NORMS_PER_LAYER, 0) * model.num_layers
    return model.dense_layers * dense + model.moe_layers * routed + extra_norms


def per_layer_input_kernels(model: ModelArch) -> int:
    """Kernels of the per-layer input paths (Gemma 4 E2B/E4B; 0 for other models)."""
    present = model.per_layer_input_size > 0
    return per_layer_and_token(model, present, PER_LAYER_INPUT_KERNELS, PER_LAYER_TOKEN_KERNELS)


def stream_mixing_kernels(model: ModelArch) -> int:
    """AltUp's and LAuReL's kernels (Gemma 3n; 0 for other models)."""
    present = model.altup_inputs > 1
    return per_layer_and_token(
        model, present, STREAM_MIXING_LAYER_KERNELS, STREAM_MIXING_TOKEN_KERNELS
    )


def kernels_per_token(model: ModelArch) -> int:
    """Kernels one forward step of one token launches (see the module text)."""
    return (
        mixer_kernels(model)
        + ffn_kernels(model)
        + per_layer_input_kernels(model)
        + stream_mixing_kernels(model)
        + TOKEN_KERNELS
    )


def attention_block_stages(model: ModelArch) -> int:
    """Dependent stages of one softmax-attention block (see the module text)."""
    stages = ATTENTION_STAGES
    if model.qk_norm:
        stages += QK_NORM_STAGES
    if model.attention_output_gate:
        stages += OUTPUT_GATE_STAGES
    return stages


def stages_per_token(model: ModelArch) -> int:
    """Barrier-separated stages one forward step of one token runs: the kernels that must wait
    for each other, what an MLX step pays a time for (see the module text)."""
    attention, linear = mixer_layers(model)
    mixers = attention * attention_block_stages(model) + linear * LINEAR_ATTENTION_STAGES
    mixers -= len(model.kv_shared_layers) * SHARED_KV_SKIPPED_STAGES
    routed = ROUTED_EXPERT_STAGES + model.num_shared_experts * SHARED_EXPERT_STAGES
    ffns = model.dense_layers * MLP_STAGES + model.moe_layers * routed
    extra_norms = max(model.norms_per_layer - BASE_NORMS_PER_LAYER, 0) * model.num_layers
    per_layer_inputs = per_layer_and_token(
        model, model.per_layer_input_size > 0, PER_LAYER_INPUT_STAGES, PER_LAYER_TOKEN_STAGES
    )
    mixing = per_layer_and_token(
        model, model.altup_inputs > 1, STREAM_MIXING_LAYER_STAGES, STREAM_MIXING_TOKEN_STAGES
    )
    return mixers + ffns + extra_norms + per_layer_inputs + mixing + TOKEN_STAGES


def paid_kernels_per_token(
    model: ModelArch, kernel_graph: KernelGraph, path: GraphPath = UNFUSED
) -> int:
    """What one token's forward step pays its time per kernel for, by the engine's kernel
    graph (engines.toml kernel_graph): MLX's barrier-separated stages, or the nodes of a ggml
    graph on the run's `path`, run one after another (llm/ggml_nodes.py)."""
    if kernel_graph == "ggml-nodes":
        return ggml_nodes_per_token(model, path)
    if kernel_graph == "own-kernels":
        return 0
    return stages_per_token(model)
