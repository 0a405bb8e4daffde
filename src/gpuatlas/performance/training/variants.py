"""What a measured training row's variant words say about how it ran: the method (LoRA and
QLoRA train adapters on a frozen base) and the activation checkpointing its source used.

A row whose variant names no checkpointing is predicted the way a user's run is: recomputation
only where the memory model says the setup does not fit without it (performance/cases.py).
"""

from __future__ import annotations

import re
from collections.abc import Set

METHOD_WORDS = {"lora": "lora", "qlora": "qlora"}
# The share of one forward pass each checkpointing variant runs again in the backward pass:
# - ac-full: every layer's forward once more (Chen et al. 2016, "Training Deep Nets with
#   Sublinear Memory Cost", arXiv:1604.06174; Korthikanti et al. 2022, arXiv:2205.05198,
#   section 5: full recomputation costs one extra forward).
# - ac-selective-layer: every other transformer block checkpointed (torchtitan's train
#   configs: `selective_ac_option = '2'`, "ac every positive int layer"): half a forward.
# - ac-selective-op: torchtitan's per-operator policy (`selective_ac_option = 'op'`) saves
#   attention and every odd matmul's output and recomputes every even matmul (its policy's
#   `mm_count % 2`): half the forward's matmuls, i.e. about half a forward.
RECOMPUTE_SHARES = {"ac-full": 1.0, "ac-selective-layer": 0.5, "ac-selective-op": 0.5}
# 'ddp': every GPU holds the whole model and only the gradients are all-reduced (PyTorch DDP,
# or FSDP's NO_SHARD strategy, which fsdp_qlora's `--sharding_strategy ddp` selects); without
# it a multi-GPU row is taken as FSDP FULL_SHARD, the sharding the packaged sources mostly ran.
REPLICA_WORDS = frozenset({"ddp"})
# 'zero1' / 'zero2' / 'zero3': the DeepSpeed ZeRO stage the run states (optimizer states;
# and gradients; and weights sharded), 'fsdp' FULL_SHARD.
SHARDING_WORDS = {"zero1": "zero1", "zero2": "zero2", "zero3": "zero3", "fsdp": "fsdp"}
# 'pure-bf16' / 'pure-fp16': the model, its gradients and AdamW's two states are all 16-bit,
# with no fp32 master copy (torch.optim.AdamW keeps its states in the parameters' dtype: a bf16
# model trained without autocast, as huggingface/peft's method_comparison does with use_amp
# false). Without the word a run is taken as mixed precision (fp32 master weights and states).
PURE_HALF_WORDS = frozenset({"pure-bf16", "pure-fp16"})


def variant_method(parts: Set[str]) -> str:
    """'full' unless the variant names LoRA or QLoRA (QLoRA wins if both are written)."""
    named = [METHOD_WORDS[part] for part in sorted(parts) if part in METHOD_WORDS]
    return "qlora" if "qlora" in named else (named[0] if named else "full")


def variant_recompute_share(parts: Set[str]) -> float | None:
    """The recomputed share of a forward pass the variant states (the largest if several are
    written), or None when it names no activation checkpointing."""
    shares = [RECOMPUTE_SHARES[part] for part in parts if part in RECOMPUTE_SHARES]
    return max(shares) if shares else None


def variant_sharding(parts: Set[str], gpu_count: int, unstated: str = "fsdp") -> str:
    """'none' for one GPU or data-parallel replicas ('ddp'), the ZeRO stage or FSDP the
    variant names, else `unstated` (the framework's default on several GPUs: FSDP FULL_SHARD
    unless its profile says otherwise)."""
    if gpu_count <= 1 or parts & REPLICA_WORDS:
        return "none"
    named = sorted(SHARDING_WORDS[part] for part in parts if part in SHARDING_WORDS)
    return named[0] if named else unstated


def variant_master_weights(parts: Set[str]) -> bool:
    """False when the variant states pure 16-bit training (no fp32 master weights or states)."""
    return not parts & PURE_HALF_WORDS


# 'foreach-adamw' / 'fused-adamw': the AdamW implementation the run used where its source states
# it (training/optimizer.py counts the memory each moves); without either word a run is taken
# to use the fused one (the default of torchtitan, Megatron-Core, DeepSpeed and of the Hugging
# Face Trainer from torch 2.8). torch.optim.AdamW() with neither `foreach` nor `fused` given
# runs foreach on CUDA, and so did the Trainer's 'adamw_torch' default up to torch 2.7.
OPTIMIZER_WORDS = {"foreach-adamw": "foreach", "fused-adamw": "fused"}


def variant_optimizer(parts: Set[str]) -> str:
    """The AdamW implementation the variant states ('foreach' wins if both are written), else
    'fused'."""
    named = {OPTIMIZER_WORDS[part] for part in parts if part in OPTIMIZER_WORDS}
    return "foreach" if "foreach" in named else "fused"


# What a run fuses of the per-token memory traffic (training/token_traffic.py):
# - 'torch.compile': Inductor fuses the element-wise operators between the matmuls (norms,
#   rotary, SwiGLU, residual adds) into a few kernels per layer;
# - 'liger': Liger's Triton kernels for RMSNorm, RoPE and SwiGLU (the layer's element-wise work);
# - 'fused-layers': a model whose norm, activation and position encoding are single kernels
#   (llm-foundry's MPT: one F.layer_norm, one GELU, ALiBi inside the attention kernel);
# - 'fused-ce': a fused (chunked, on-chip) cross-entropy over the logits (Liger's
#   fused_linear_cross_entropy, Unsloth's fast_cross_entropy, Megatron-Core's fused
#   vocab-parallel cross-entropy);
# - 'chunked-ce' with 'torch.compile': torchtune compiles its chunked cross-entropy loss
#   (training.compile_loss), so the upcast and log-softmax of each chunk fuse too.
FUSION_WORDS = {
    "torch.compile": ("elementwise",),
    "liger": ("elementwise",),
    "fused-layers": ("elementwise",),
    "fused-ce": ("loss",),
}


def variant_fused(parts: Set[str]) -> frozenset[str]:
    """What of the per-token traffic the variant says the run fuses: 'elementwise' and/or
    'loss' (a framework's own fused kernels are its profile's `fused`, training_engines.toml)."""
    fused: set[str] = set()
    for part in parts:
        fused.update(FUSION_WORDS.get(part, ()))
    if {"torch.compile", "chunked-ce"} <= parts:
        fused.add("loss")
    return frozenset(fused)


# 'offload-optimizer': the optimizer state (master weights and AdamW moments) kept in host
# memory and streamed to the GPU for each update; llm.q's own flags say it per tensor
# (--offload-master, --offload-opt-m, --offload-opt-v: IST-DASLab/llmq README.md).
OFFLOAD_OPTIMIZER_WORDS = frozenset(
    {"offload-optimizer", "offload-master", "offload-opt-m", "offload-opt-v"}
)


# 'offload-optimizer-cpu': DeepSpeed's ZeRO-Offload (zero_optimization.offload_optimizer.device
# "cpu"): the fp32 master weights and AdamW moments live in host memory and DeepSpeedCPUAdam
# updates them on the host's cores (training/optimizer.py host_optimizer_step_s).
HOST_OPTIMIZER_WORDS = frozenset({"offload-optimizer-cpu"})


def variant_offloads_optimizer(parts: Set[str]) -> bool:
    """Whether the variant states the optimizer state offloaded to host memory."""
    return bool(parts & (OFFLOAD_OPTIMIZER_WORDS | HOST_OPTIMIZER_WORDS))


def variant_optimizer_on_host(parts: Set[str]) -> bool:
    """Whether the variant states the optimizer step run by the host's CPU (ZeRO-Offload)."""
    return bool(parts & HOST_OPTIMIZER_WORDS)


# 'offload-param-cpu': DeepSpeed ZeRO-3's offload_param device "cpu": each GPU's parameter
# partition lives in host memory and crosses PCIe at every gather (training/param_offload.py).
PARAM_OFFLOAD_WORDS = frozenset({"offload-param-cpu"})


def variant_offloads_params(parts: Set[str]) -> bool:
    """Whether the variant states the parameter partitions offloaded to host memory."""
    return bool(parts & PARAM_OFFLOAD_WORDS)


# 'vanilla-attention' / 'eager-attention': attention without SDPA or a flash kernel, the scores
# materialised (transformers' eager path: its only one before v4.36, when SDPA became the
# default; `attn_implementation="eager"` after). Without either word a training run is taken
# to use SDPA or flash attention.
EAGER_ATTENTION_WORDS = frozenset({"vanilla-attention", "eager-attention"})


def variant_eager_attention(parts: Set[str]) -> bool:
    """Whether the variant states eager (materialised-score) attention."""
    return bool(parts & EAGER_ATTENTION_WORDS)


# 'ep8', 'ep64': expert parallelism of that degree (the run's GPUs share one copy of the routed
# experts in groups of that many: training/expert_parallel.py); without the word, none.
EXPERT_PARALLEL_WORD = re.compile(r"^ep(?P<degree>[1-9][0-9]*)$")


def variant_expert_parallel(parts: Set[str]) -> int:
    """The expert-parallel degree the variant states (the largest if several), else 1."""
    degrees = [
        int(found["degree"]) for part in parts if (found := EXPERT_PARALLEL_WORD.match(part))
    ]
    return max(degrees, default=1)
