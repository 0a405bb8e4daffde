"""Per-token memory traffic of a training step that the FLOP count leaves out: the element-wise
operators of every decoder layer, the loss over the vocabulary's logits, and LoRA's adapters.

The weight matmuls and attention are costed by their FLOPs (speed.py). What an eager framework
runs between them is memory-bound: each operator reads its inputs from memory and writes its
output back. These bytes scale with the hidden size while the FLOPs scale with its square, so
they are what makes a small model (Qwen3-0.6B, hidden 1,024) slower per FLOP than an 8B one.
Counted per token, in bytes, from the implementations:

- decoder layer, eager (transformers' LlamaDecoderLayer / Qwen3DecoderLayer, v4.4x-4.5x):
  - RMSNorm (LlamaRMSNorm.forward): to(float32) reads 2h and writes 4h, pow(2) 4h + 4h, mean
    reads 4h, the product with rsqrt 4h + 4h, to(bf16) 4h + 2h, the weight product 2h + 2h:
    36h bytes; two per layer.
  - rotary embedding (apply_rotary_pos_emb) of q and k: q*cos, rotate_half's two slices, neg and
    cat, *sin, add: 7 element-wise ops, each reading and writing the tensor in bf16 (4 bytes
    per element), over q's and k's widths.
  - SwiGLU (act_fn(gate_proj(x)) * up_proj(x)): SiLU reads and writes the intermediate (4I),
    the product reads two and writes one (6I): 10I.
  - two residual adds, each reading two and writing one hidden vector in bf16: 12h.
  The backward pass of an element-wise op reads its saved inputs and the incoming gradient and
  writes the input gradient: about twice its forward traffic. Recomputation runs the forward's
  share again. Fused kernels (torch.compile's fused regions, Liger's RMSNorm, RoPE and SwiGLU,
  Transformer Engine in Megatron-Core, Unsloth's Triton kernels) keep the intermediates in
  registers: each reads its input and writes its output once (RMSNorm 2h + 2h, rotary q and k
  read and written in place, SwiGLU reads gate and up and writes one: 6I); residual adds as
  eager.
- loss over the logits, eager (transformers' ForCausalLMLoss, loss_utils.py: `logits =
  logits.float()` then `nn.functional.cross_entropy`; torchtitan's cross_entropy_loss also
  upcasts): the LM head writes the bf16 logits (2V), the upcast reads them and writes fp32
  (2V + 4V), log_softmax reads twice (max and sum) and writes (12V), its backward writes the
  gradient of the nll (4V), reads that, the saved output and writes its input gradient (12V),
  the upcast's backward reads and writes bf16 (4V + 2V), and the LM head's backward reads the
  bf16 gradient (2V): 42V bytes per token. A fused cross-entropy (Liger's fused linear
  cross-entropy, Unsloth's fast cross-entropy, Megatron-Core's fused vocab-parallel
  cross-entropy, torchtune's chunked loss compiled) writes each chunk's logits once (2V), one
  kernel reads them and writes their gradient in place (2V + 2V), and the LM head's backward
  reads it (2V): 8V.
- LoRA adapters (peft's lora.Linear.forward: `result + lora_B(lora_A(dropout(x))) * scaling`)
  on every adapted linear layer of width in -> out: lora_A reads x (2in), lora_B writes its
  output (2out), the scaling and the add read and write the output (2out + 2out + 4out);
  backward reads the output gradient twice (dB and the input gradient through B, 4out), reads x
  for dA (2in) and writes and accumulates the input gradient (2in + 4in + 2in): about
  12 (in + out) bytes per token and linear, with the forward's ~4 (in + out) once more under
  recomputation.

- eager attention (no SDPA or flash kernel: transformers' eager path, its only one before v4.36;
  variants.EAGER_ATTENTION_WORDS) materialises each head's scores over all s keys of the
  sequence (the causal mask is added, not skipped). Per query, key and head, forward:
  matmul(q, kᵀ) writes the 16-bit score (2), the scaling reads and writes it (4), the mask add
  (4), softmax in fp32 reads 16-bit and writes fp32 (6), the cast back reads fp32 and writes
  16-bit (6), matmul(p, v) reads it (2): 24 bytes; the backward moves about twice that, as the
  element-wise operators above. SDPA's flash and memory-efficient kernels keep the scores on
  chip: nothing is counted for them.

What a run fuses comes from its variant words (variants.FUSION_WORDS: torch.compile, liger,
fused-layers, fused-ce) and its framework's profile (`fused` in
performance/data/training_engines.toml, with the source that says so). The bytes are charged
at the datasheet bandwidth, as the optimizer step's (optimizer.py): streaming element-wise
kernels reach most of it, and the fitted compute efficiency (calibrate) carries the rest.
"""

from __future__ import annotations

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.performance.peak_rates import memory_bandwidth_bytes_s
from gpuatlas.performance.training.memory import TrainingSetup, fused_parts

RMSNORM_BYTES_PER_HIDDEN = {"eager": 36.0, "fused": 4.0}
ROTARY_BYTES_PER_WIDTH = {"eager": 28.0, "fused": 4.0}  # 7 ops x (read + write) bf16; 1 op
SWIGLU_BYTES_PER_INTERMEDIATE = {"eager": 10.0, "fused": 6.0}
RESIDUAL_BYTES_PER_HIDDEN = 12.0
NORMS_PER_LAYER = 2
BACKWARD_TRAFFIC_PER_FORWARD = 2.0
CE_BYTES_PER_VOCAB = {"eager": 42.0, "fused": 8.0}
LORA_BYTES_PER_WIDTH = 12.0  # forward 4, backward 8 per (in + out)
LORA_FORWARD_BYTES_PER_WIDTH = 4.0
EAGER_SCORE_BYTES_PER_KEY = 24.0  # forward, per query, key and head (16-bit scores, fp32 softmax)


def _mode(fused: bool) -> str:
    return "fused" if fused else "eager"


def layer_forward_bytes(model: ModelArch, fused: bool = False) -> float:
    """Bytes one token's element-wise forward moves in one decoder layer, eager or fused."""
    mode = _mode(fused)
    h = model.hidden_size
    q_width = model.num_attention_heads * model.head_dim
    k_width = model.num_kv_heads * model.head_dim
    if model.is_moe:
        intermediate = model.moe_intermediate_size * model.experts_per_token
    else:
        intermediate = model.intermediate_size
    norms = NORMS_PER_LAYER * RMSNORM_BYTES_PER_HIDDEN[mode] * h
    rotary = ROTARY_BYTES_PER_WIDTH[mode] * (q_width + k_width)
    mlp = SWIGLU_BYTES_PER_INTERMEDIATE[mode] * intermediate
    return norms + rotary + mlp + RESIDUAL_BYTES_PER_HIDDEN * h


def elementwise_bytes_per_token(
    model: ModelArch, setup: TrainingSetup, recompute: bool, fused: bool = False
) -> float:
    """Element-wise bytes per token over forward, backward and any recomputation."""
    passes = 1.0 + BACKWARD_TRAFFIC_PER_FORWARD + (setup.recompute_share if recompute else 0.0)
    return model.num_layers * layer_forward_bytes(model, fused) * passes


def loss_bytes_per_token(model: ModelArch, fused: bool = False) -> float:
    """Bytes one token's cross-entropy over the vocabulary moves (forward + backward)."""
    return CE_BYTES_PER_VOCAB[_mode(fused)] * model.vocab_size


def lora_linear_widths(model: ModelArch) -> float:
    """Sum of (in + out) over one layer's adapted linear layers (attention and MLP)."""
    h, d = model.hidden_size, model.head_dim
    q_out, kv_out = model.num_attention_heads * d, model.num_kv_heads * d
    attention = 2 * (h + q_out) + 2 * (h + kv_out)
    if model.is_moe:
        active = model.experts_per_token + model.num_shared_experts
        return attention + 3 * (h + model.moe_intermediate_size) * active
    return attention + (3 if model.gated_mlp else 2) * (h + model.intermediate_size)


def lora_linear_count(model: ModelArch) -> int:
    """Linear layers of one layer that LoRA adapts, as lora_linear_widths counts them."""
    if model.is_moe:
        return 4 + 3 * (model.experts_per_token + model.num_shared_experts)
    return 4 + (3 if model.gated_mlp else 2)


def eager_attention_bytes_per_token(
    model: ModelArch, setup: TrainingSetup, recompute: bool
) -> float:
    """Bytes eager attention's materialised scores move per token (0 under SDPA)."""
    if not setup.eager_attention:
        return 0.0
    passes = 1.0 + BACKWARD_TRAFFIC_PER_FORWARD + (setup.recompute_share if recompute else 0.0)
    per_layer = EAGER_SCORE_BYTES_PER_KEY * model.num_attention_heads * setup.sequence_tokens
    return model.num_layers * per_layer * passes


def lora_bytes_per_token(model: ModelArch, setup: TrainingSetup, recompute: bool) -> float:
    """Bytes the adapters move per token (0 for full fine-tuning)."""
    if setup.method == "full":
        return 0.0
    extra = LORA_FORWARD_BYTES_PER_WIDTH * (setup.recompute_share if recompute else 0.0)
    return model.num_layers * lora_linear_widths(model) * (LORA_BYTES_PER_WIDTH + extra)


def token_traffic_s(
    system: GpuSystem, model: ModelArch, setup: TrainingSetup, recompute: bool
) -> float:
    """Seconds of one GPU's micro-step spent on this traffic, at the datasheet bandwidth."""
    fused = fused_parts(setup)
    per_token = (
        lora_bytes_per_token(model, setup, recompute)
        + elementwise_bytes_per_token(model, setup, recompute, "elementwise" in fused)
        + loss_bytes_per_token(model, "loss" in fused)
        + eager_attention_bytes_per_token(model, setup, recompute)
    )
    tokens = setup.sequence_tokens * setup.micro_batch
    return tokens * per_token / memory_bandwidth_bytes_s(system.gpu)


def traffic_note(model: ModelArch, setup: TrainingSetup, traffic_s: float, step_s: float) -> str:
    """What the answer says about this traffic: its time, its share of the step and what it
    counts (eager or fused)."""
    fused = fused_parts(setup)
    layers = "fused" if "elementwise" in fused else "eager"
    loss = "a fused cross-entropy" if "loss" in fused else "an fp32 cross-entropy"
    adapters = "" if setup.method == "full" else " and the LoRA adapters"
    share = traffic_s / step_s if step_s > 0 else 0.0
    return (
        f"memory traffic outside the matmuls: {traffic_s * 1e3:,.0f} ms of the "
        f"{step_s * 1e3:,.0f} ms step ({share:.0%}): {layers} norms, rotary and MLP "
        f"activations, {loss} over {model.vocab_size:,} logits{adapters}, at the datasheet "
        "bandwidth (torch.compile, Liger, Unsloth and Megatron-Core fuse most of it)"
    )
