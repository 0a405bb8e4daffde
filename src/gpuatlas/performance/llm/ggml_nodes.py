"""GPU kernels one decode step of a ggml engine runs (llama.cpp, Ollama; pure).

llama.cpp builds each forward step as a ggml graph and the backend runs its nodes one after
another on one stream (ggml-cuda replays them as a CUDA graph; HIP, Vulkan, SYCL and Metal
dispatch them in order). Views (reshape, view, permute, transpose) launch nothing; every other
node is a kernel whose fixed cost - launch, ramp-up and drain of a kernel that has one token's
work - does not shrink with a faster memory. A step therefore takes bytes / (η_m x bandwidth) +
nodes x the time per node + the step overhead; the time per node is the engine profile's
(engines.toml kernel_overhead_us, kernel_graph = "ggml-nodes", fits_kernel_overhead = false),
and calibrate fits η_m and the step overhead around it. Where ggml fuses nodes (the CUDA
backend's rms_norm+mul or its top-k MoE chain) the time per node is an average over fused and
unfused ones; what matters is how the counts differ between architectures, which is what makes
Gemma 3n or a hybrid Gated DeltaNet model slower per byte read than a plain Llama.

The graph's path is the run's (`GraphPath`): with flash attention, KQ, the masked soft_max, KQV
and the copy of its permuted output are one flash_attn_ext node (12 nodes, not 15: the default
of llama-server since b6327 and of llama-bench since b9437; the runtime knows which path a run
takes, LlmRuntime.attention_per_query_head); builds with the fused gated_delta_net op
(engines.toml fused_recurrence: ggml-org/llama.cpp PR #19504 added it on CPU and CUDA in
2026-02, PR #20334 on Vulkan and #20455 on SYCL in 2026-03; cparams.fused_gdn_ar on by
default, delta-net-base.cpp build_delta_net_fused) run a Gated DeltaNet mixer's 12 recurrence
nodes as one (25 nodes, not 36). Ollama's own Go graph of these models keeps the unfused
recurrence (ollama/ollama issue #16149, PR #16150 open in 2026-05).

Known approximations: a gated shared expert (Qwen3-Next, Qwen3.5/3.6) has 3 more nodes than
counted, DeepSeek's group-limited routing about 9; a Mamba-2 mixer is counted with the Gated
DeltaNet block's 36 nodes (its ssm_scan is one op; its state moves 4 times, as the fused
recurrence's); the generation of builds b6902-b9436 counts every Gated DeltaNet model fused,
though Qwen3-Next's builds from its support (b7189, 2025-11) to the op (2026-02/03) ran the
unfused recurrence; the backends also run chains of nodes as one kernel (norm + weight, RoPE +
cache write, mat-vec + add, gate + up + GLU, the MoE routing and expert adds), not counted: the
time per node is an average over fused and unfused ones; CUDA fuses the state copy after the
fused op into it from PR #23940 (2026-07), one node fewer per layer, not counted either.

Counts read from ggml-org/llama.cpp src/models/*.cpp and src/llama-graph.cpp @069be0a (2026)
for one token:
- softmax attention (llama.cpp build_norm + build_qkv + build_attn): rms_norm and its weight
  multiply (2), q/k/v mat-vecs (3), RoPE of queries and keys (2), the two KV-cache writes (2),
  KQ, the masked soft_max, KQV and the contiguous copy of its permuted output (4; with flash
  attention one flash_attn_ext), the output mat-vec and the residual add (2): 15 (12); q/k/v
  biases (Qwen2, GLM-4.5, gpt-oss: attention_bias) 3 more adds, an output bias 1; per-head Q/K
  norms 4 more (an rms_norm and a multiply each); an output gate (Qwen3-Next, Qwen3.5) 2 more
  (sigmoid, multiply); multi-head latent attention (DeepSeek) 8 more (the q and kv low-rank
  mat-vecs, their norms, the split RoPE part and its concatenation, the absorbed key and value
  projections).
- Gated DeltaNet (qwen35.cpp / qwen3next.cpp build_layer_attn_linear with
  delta-net-base.cpp build_delta_net_autoregressive): the norm (2), the qkv, z, b and a
  mat-vecs (4), sigmoid(b), the gate's bias add, softplus and multiply (3), the convolution
  state's concatenation and write-back, ssm_conv and SiLU (4), the q/k L2 norms (2), the
  recurrence (q scale, exp(g), state decay, k·state, its row sum, the delta, beta, the repeat of
  k, the outer product, the state add, q·state and its row sum: 12; the fused op: 1), the state
  write-back, the gated RMSNorm (rms_norm, weight, SiLU(z), multiply: 4), the output mat-vec
  and the residual add (2): 36 (fused: 25).
- dense gated MLP (build_ffn LLM_FFN_PAR): rms_norm and multiply (2), gate and up (2), the
  fused swiglu, down, the residual add: 7; without a gate: 6; biased, one add per matrix.
- routed experts (build_moe_ffn): rms_norm and multiply (2), the router mat-vec, its softmax,
  argsort_top_k, the get_rows of the chosen weights, their sum, clamp and division (the
  normalisation), up/gate/down mul_mat_id (3), swiglu, the weighting multiply, k - 1 adds that
  sum the k experts and the residual add: 16 + k - 1; biased experts (gpt-oss) 4 more (three
  add_id and the router's bias); a shared expert (build_ffn) 5 more: its
  three mat-vecs, swiglu and the add to the routed sum.
- a norm beyond the two per layer (Gemma's post-norms): 2 (rms_norm, multiply).
- per token, once: the embedding get_rows, the last layer's two output-row get_rows, the final
  rms_norm and multiply, the lm_head: 6.
- per-layer inputs (Gemma 3n / Gemma 4 E, gemma3n-iswa.cpp): in each layer the gate mat-vec,
  GELU, the multiply by the layer's slice, the projection, its norm (2) and the residual add:
  7; once per token the per-layer table's get_rows and scale, the model projection and its
  scale, its norm (2), the add and the input scale: 8.
- AltUp and LAuReL (gemma3n-iswa.cpp altup_predict / altup_correct / laurel): per layer the
  router's norm (2), scale, mat-vec and tanh, the coefficients' mat-vec, the streams' mixing
  mat-vec and add (predict: 8), LAuReL's two mat-vecs, norm (2) and add (5), the attention
  output's add and scaling (2), correct (the router again: 5, the coefficients' mat-vec and
  +1, the innovation's subtract, the multiply and the add to the predictions: 10) and the
  output scale and the other streams' update (2): 27 + 2 from the extra norms' count; per
  token the streams' expansion and merge (magnitudes, three projections each way, the
  rescaling and the mean): 30.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.performance.llm.layer_kinds import mixer_layers, per_layer_and_token

ATTENTION_NODES = 15
FLASH_ATTENTION_SAVED_NODES = 3  # KQ, soft_max, KQV and the copy become one flash_attn_ext
QKV_BIAS_NODES = 3
OUTPUT_BIAS_NODES = 1
QK_NORM_NODES = 4
OUTPUT_GATE_NODES = 2
LATENT_ATTENTION_NODES = 8  # MLA's low-rank projections, norms and split RoPE
LINEAR_ATTENTION_NODES = 36
FUSED_RECURRENCE_SAVED_NODES = 11  # the recurrence's 12 nodes become one gated_delta_net
UNFUSED_STATE_PASSES = 16  # state-sized reads and writes per layer (recurrent_state_passes)
FUSED_STATE_PASSES = 4
GATED_MLP_NODES = 7
PLAIN_MLP_NODES = 6
ROUTED_EXPERT_NODES = 16  # plus experts_per_token - 1 adds
SHARED_EXPERT_NODES = 5
# biased linear layers (mlp_bias): an add per matrix of a dense MLP; the routed experts' three
# ggml_add_id and the router's bias add (gpt-oss)
GATED_MLP_BIAS_NODES = 3
PLAIN_MLP_BIAS_NODES = 2
ROUTED_EXPERT_BIAS_NODES = 4
NORM_NODES = 2
BASE_NORMS_PER_LAYER = 2
TOKEN_NODES = 6
# a KV-shared layer (Gemma 3n / Gemma 4 E) skips k and v, RoPE of the keys and the two writes
SHARED_KV_SKIPPED_NODES = 5
PER_LAYER_INPUT_NODES = 7
PER_LAYER_TOKEN_NODES = 8
STREAM_MIXING_LAYER_NODES = 27
STREAM_MIXING_TOKEN_NODES = 30


@dataclass(frozen=True)
class GraphPath:
    """Which path a run's graph takes where llama.cpp builds it two ways: flash attention
    (one flash_attn_ext node) and the fused Gated DeltaNet recurrence (one gated_delta_net
    node); both off is the path of builds and runs without them."""

    flash_attention: bool = False
    fused_recurrence: bool = False


UNFUSED = GraphPath()


def attention_block_nodes(model: ModelArch, path: GraphPath = UNFUSED) -> int:
    """Nodes of one softmax-attention block (its norm and residual add included)."""
    nodes = ATTENTION_NODES
    if path.flash_attention:
        nodes -= FLASH_ATTENTION_SAVED_NODES
    if model.attention_bias:
        nodes += QKV_BIAS_NODES
    if model.attention_output_bias:
        nodes += OUTPUT_BIAS_NODES
    if model.qk_norm:
        nodes += QK_NORM_NODES
    if model.attention_output_gate:
        nodes += OUTPUT_GATE_NODES
    if model.kv_lora_rank > 0:
        nodes += LATENT_ATTENTION_NODES
    return nodes


def fuses_recurrence(model: ModelArch, path: GraphPath) -> bool:
    """Whether this run's linear-attention layers run ggml's fused gated_delta_net op: Gated
    DeltaNet layers on a build that has it (Mamba-2's ssm_scan is one op on every build)."""
    return path.fused_recurrence and model.recurrent_mixer == "gated-deltanet"


def linear_attention_nodes(model: ModelArch, path: GraphPath = UNFUSED) -> int:
    """Nodes of one linear-attention block, on the fused recurrence where the build has it."""
    if fuses_recurrence(model, path):
        return LINEAR_ATTENTION_NODES - FUSED_RECURRENCE_SAVED_NODES
    return LINEAR_ATTENTION_NODES


def recurrent_state_passes(model: ModelArch, path: GraphPath = UNFUSED) -> int:
    """Times one decode step reads or writes a state-sized tensor in each recurrent layer of a
    ggml graph (the state is fp32, MBs per layer: 2.1 MB in a Qwen3.6-35B-A3B layer). The
    unfused Gated DeltaNet recurrence (build_delta_net_autoregressive) makes every one of its
    element-wise nodes stream it: the decay (read, write), k·state (read, write) and its row
    sum (read), the repeat of k to the state's shape (write), the outer product (read, write),
    the state add (two reads, a write), q·state (read, write) and its row sum (read): 14; the
    write-back into the cache (read, write): 16. The fused op (and Mamba-2's ssm_scan) reads the
    state and writes the new one into its result, which the write-back copies: 4."""
    gated_deltanet = model.recurrent_mixer == "gated-deltanet"
    if gated_deltanet and not fuses_recurrence(model, path):
        return UNFUSED_STATE_PASSES
    return FUSED_STATE_PASSES


def mixer_nodes(model: ModelArch, path: GraphPath = UNFUSED) -> int:
    """Nodes of every layer's token mixer: softmax attention, Gated DeltaNet, or none."""
    attention, linear = mixer_layers(model)
    shared = len(model.kv_shared_layers) * SHARED_KV_SKIPPED_NODES
    softmax = attention * attention_block_nodes(model, path)
    return softmax + linear * linear_attention_nodes(model, path) - shared


def routed_expert_nodes(model: ModelArch) -> int:
    """Nodes of one MoE block: routing, the k experts, their sum and the shared experts."""
    summing = max(model.experts_per_token - 1, 0)
    biases = ROUTED_EXPERT_BIAS_NODES if model.mlp_bias else 0
    return ROUTED_EXPERT_NODES + summing + biases + model.num_shared_experts * SHARED_EXPERT_NODES


def ffn_nodes(model: ModelArch) -> int:
    """Nodes of every layer's feed-forward block and the norms beyond two per layer."""
    dense = GATED_MLP_NODES if model.gated_mlp else PLAIN_MLP_NODES
    if model.mlp_bias:
        dense += GATED_MLP_BIAS_NODES if model.gated_mlp else PLAIN_MLP_BIAS_NODES
    extra_norms = max(model.norms_per_layer - BASE_NORMS_PER_LAYER, 0) * model.num_layers
    moe = model.moe_layers * routed_expert_nodes(model)
    return model.dense_layers * dense + moe + extra_norms * NORM_NODES


def per_layer_input_nodes(model: ModelArch) -> int:
    """Nodes of the per-layer input paths (Gemma 3n, Gemma 4 E2B/E4B; 0 for other models)."""
    present = model.per_layer_input_size > 0
    return per_layer_and_token(model, present, PER_LAYER_INPUT_NODES, PER_LAYER_TOKEN_NODES)


def stream_mixing_nodes(model: ModelArch) -> int:
    """AltUp's and LAuReL's nodes (Gemma 3n; 0 for other models)."""
    present = model.altup_inputs > 1
    return per_layer_and_token(model, present, STREAM_MIXING_LAYER_NODES, STREAM_MIXING_TOKEN_NODES)


def ggml_nodes_per_token(model: ModelArch, path: GraphPath = UNFUSED) -> int:
    """Kernels one decode step of one token runs in a ggml engine on the graph's `path` (see
    the module text)."""
    return (
        mixer_nodes(model, path)
        + ffn_nodes(model)
        + per_layer_input_nodes(model)
        + stream_mixing_nodes(model)
        + TOKEN_NODES
    )
