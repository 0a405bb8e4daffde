"""Training memory per GPU: weights, gradients, optimizer states, activations, with sharding.

Mixed-precision AdamW (Transformer Math 101): bf16 weights 2 B + bf16 gradients 2 B + fp32
master weights, momentum and variance 12 B per trainable parameter; pure 16-bit training (no
autocast, no master copy) keeps 2 B + 2 B + 16-bit momentum and variance 4 B. LoRA freezes the base
(bf16) and trains rank-r adapters on every linear layer; QLoRA stores the base in NF4
(4 bits + double-quantised scales ≈ 4.127 bits). ZeRO-1 shards optimizer states across the
data-parallel GPUs, ZeRO-2 also gradients, ZeRO-3/FSDP also weights. Activations per token per
layer ≈ 2·(8h + 3I) bytes (flash attention, Korthikanti et al. 2022 without the s² term);
with checkpointing only each layer's input (2h bytes) is kept, plus one layer recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.memory import MIN_FREE_SHARE, gib_text
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.peak_rates import memory_capacity_gb
from gpuatlas.performance.predictions import TrainingMemoryFit
from gpuatlas.performance.training.engines import SHARDINGS, training_engines
from gpuatlas.performance.training.expert_parallel import expert_parallel_problems, held_bytes

GB = 1e9
METHODS = ("full", "lora", "qlora")
OPTIMIZER_IMPLEMENTATIONS = ("fused", "foreach")
NF4_BITS = 4.127
# the logits held for the loss, per vocabulary entry and token: eager, the bf16 logits, their
# fp32 upcast and its gradient (2 + 4 + 4); a fused cross-entropy (token_traffic.py) writes
# the bf16 logits once and their gradient in place (llm.c's and llm.q's fused_classifier,
# Unsloth's fast cross-entropy): 2
LOGIT_BYTES_PER_ENTRY = {"eager": 10.0, "fused": 2.0}
CONTEXT_OVERHEAD_GB = model_constant("training", "context_overhead_gb")
MULTI_GPU_OVERHEAD_GB = model_constant("training", "multi_gpu_overhead_gb")  # NCCL buffers


@dataclass(frozen=True)
class TrainingSetup:
    method: str
    sequence_tokens: int
    micro_batch: int
    checkpointing: bool
    sharding: str
    lora_rank: int = 16
    precision: str = "bf16"
    engine: str = "pytorch"  # the training framework's id (training/engines.py)
    # share of one forward pass that checkpointing recomputes in the backward pass: 1 = every
    # layer (full), 0.5 = selective (every other layer or every other matmul; speed.py)
    recompute_share: float = 1.0
    # mixed precision keeps fp32 master weights and AdamW states (12 B per trained parameter);
    # pure 16-bit training (variants.PURE_HALF_WORDS) keeps only the two states, in 16 bits
    master_weights: bool = True
    # micro-steps per optimizer step: the gradients of this many micro-batches are summed before
    # one optimizer step (and, under DDP, one gradient all-reduce: `no_sync` skips the others)
    gradient_accumulation: int = 1
    # AdamW's implementation (training/optimizer.py): "fused" (one kernel; the default of
    # torchtitan, Megatron-Core, DeepSpeed and the Hugging Face Trainer from torch 2.8) or
    # "foreach" (torch.optim.AdamW's default when neither is asked; variants.OPTIMIZER_WORDS)
    optimizer: str = "fused"
    # the optimizer state (fp32 master copy and moments) lives in host memory and is streamed
    # over PCIe for each update (variants.OFFLOAD_OPTIMIZER_WORDS; training/optimizer.py)
    offload_optimizer: bool = False
    # the host's CPU runs the optimizer step on that offloaded state (DeepSpeed ZeRO-Offload,
    # variants.HOST_OPTIMIZER_WORDS; training/optimizer.py host_optimizer_step_s)
    optimizer_on_host: bool = False
    # each GPU's partition of the 16-bit parameters lives in host memory and is copied to the
    # GPU for every gather (DeepSpeed ZeRO-3 offload_param, variants.PARAM_OFFLOAD_WORDS;
    # training/param_offload.py); its memory effect is not modelled
    offload_params: bool = False
    # what the run fuses of the per-token memory traffic (training/token_traffic.py):
    # "elementwise" (compiled or fused layer kernels), "loss" (fused cross-entropy)
    fused: frozenset[str] = frozenset()
    # attention without SDPA/flash kernels (transformers' eager path, variants.EAGER_ATTENTION_
    # WORDS): the score matrices are materialised (training/token_traffic.py, training/host.py)
    eager_attention: bool = False
    # GPUs sharing one copy of the routed experts, each holding num_experts / this of every MoE
    # layer's (expert parallelism; training/expert_parallel.py); 1: every GPU's sharding holds
    # all of them (FSDP gathers every expert)
    expert_parallel: int = 1


MIXED_OPTIMIZER_BYTES = 12.0  # fp32 master weight, momentum and variance
PURE_HALF_OPTIMIZER_BYTES = 4.0  # 16-bit momentum and variance; the weights are the model's
HALF_WEIGHTS_OPTIMIZER_BYTES = 8.0  # fp32 momentum and variance; the weights are the model's


def keeps_master_copy(setup: TrainingSetup) -> bool:
    """Whether the optimizer keeps fp32 master weights: mixed precision does unless the run is
    pure 16-bit (its variant) or its framework updates the 16-bit weights in place (its
    profile's `master_weights = false`, e.g. llm.q's bf16 model dtype)."""
    return setup.master_weights and training_engines()[setup.engine].master_weights


def optimizer_bytes_per_param(setup: TrainingSetup) -> float:
    """Optimizer-state bytes per trained parameter (AdamW): fp32 master copy and moments, the
    moments alone in fp32 (a framework without a master copy), or 16-bit moments (pure 16-bit
    training)."""
    if not setup.master_weights:
        return PURE_HALF_OPTIMIZER_BYTES
    return MIXED_OPTIMIZER_BYTES if keeps_master_copy(setup) else HALF_WEIGHTS_OPTIMIZER_BYTES


def lora_params(model: ModelArch, rank: int) -> float:
    """Adapter parameters: rank·(in + out) for every linear layer of attention and MLP."""
    h, d = model.hidden_size, model.head_dim
    q_out, kv_out = model.num_attention_heads * d, model.num_kv_heads * d
    attention = rank * ((h + q_out) * 2 + (h + kv_out) * 2)
    if model.is_moe:
        experts = model.num_experts + model.num_shared_experts
        mlp = 3 * rank * (h + model.moe_intermediate_size) * experts
    else:
        mlp = (3 if model.gated_mlp else 2) * rank * (h + model.intermediate_size)
    return float(model.num_layers * (attention + mlp))


def trainable_params(model: ModelArch, setup: TrainingSetup) -> float:
    if setup.method == "full":
        return float(model.total_params())
    return lora_params(model, setup.lora_rank)


def _base_weight_bytes(model: ModelArch, setup: TrainingSetup) -> float:
    bytes_per_weight = 4.0 if setup.precision == "fp32" else 2.0
    if setup.method != "qlora":
        return model.total_params() * bytes_per_weight
    quantized = model.quantizable_params()
    return quantized * NF4_BITS / 8 + (model.total_params() - quantized) * 2.0


def weight_bytes(model: ModelArch, setup: TrainingSetup) -> float:
    """Every weight the model holds during training: the base (bf16, fp32 or NF4) and, for
    LoRA/QLoRA, the bf16 adapters."""
    adapters = 0.0 if setup.method == "full" else trainable_params(model, setup) * 2.0
    return _base_weight_bytes(model, setup) + adapters


def fused_parts(setup: TrainingSetup) -> frozenset[str]:
    """What the run fuses of the per-token traffic: what its variant states (setup.fused) and
    its framework's own kernels (the `fused` entry of its profile in
    performance/data/training_engines.toml)."""
    return setup.fused | training_engines()[setup.engine].fused


def activation_split(setup: TrainingSetup, gpus: int) -> int:
    """How many GPUs share one sequence's activations: the framework's tensor/sequence/context
    parallel group (Megatron-Core: up to one 8-GPU server), 1 for data-parallel frameworks."""
    return max(1, min(gpus, training_engines()[setup.engine].activation_split_gpus))


def activation_bytes(model: ModelArch, setup: TrainingSetup) -> float:
    tokens = setup.sequence_tokens * setup.micro_batch
    intermediate = model.moe_intermediate_size * model.experts_per_token or model.intermediate_size
    per_layer_token = 2.0 * (8 * model.hidden_size + 3 * intermediate)
    if setup.checkpointing:
        kept = model.num_layers * 2.0 * model.hidden_size + per_layer_token
    else:
        kept = model.num_layers * per_layer_token
    loss = "fused" if "loss" in fused_parts(setup) else "eager"
    logits = model.vocab_size * LOGIT_BYTES_PER_ENTRY[loss]
    return tokens * (kept + logits)


def _shard_divisors(sharding: str, gpus: int) -> tuple[int, int, int]:
    """Divisors for (weights, gradients, optimizer) under a sharding strategy."""
    if sharding in ("zero3", "fsdp"):
        return gpus, gpus, gpus
    if sharding == "zero2":
        return 1, gpus, gpus
    if sharding == "zero1":
        return 1, 1, gpus
    return 1, 1, 1


def optimizer_shards(sharding: str, gpus: int) -> int:
    """How many GPUs split the optimizer's parameters and states under a sharding strategy."""
    return _shard_divisors(sharding, gpus)[2]


def validate_setup(setup: TrainingSetup) -> None:
    problems = []
    if setup.method not in METHODS:
        problems.append(f"method must be one of {', '.join(METHODS)}, got {setup.method!r}")
    if setup.sharding not in SHARDINGS:
        problems.append(f"sharding must be one of {', '.join(SHARDINGS)}, got {setup.sharding!r}")
    if setup.sequence_tokens < 1 or setup.micro_batch < 1:
        problems.append("sequence_tokens and micro_batch must be at least 1")
    if setup.optimizer not in OPTIMIZER_IMPLEMENTATIONS:
        problems.append(
            f"optimizer must be one of {', '.join(OPTIMIZER_IMPLEMENTATIONS)}, "
            f"got {setup.optimizer!r}"
        )
    if setup.gradient_accumulation < 1:
        problems.append(
            f"gradient_accumulation must be at least 1, got {setup.gradient_accumulation}"
        )
    if problems:
        raise InvalidRequestError(problems)


def training_memory_fit(
    system: GpuSystem, model: ModelArch, setup: TrainingSetup
) -> TrainingMemoryFit:
    validate_setup(setup)
    if problems := expert_parallel_problems(system, model, setup.expert_parallel):
        raise InvalidRequestError(problems)
    gpus = system.gpu_count
    trainable = trainable_params(model, setup)
    weight_div, grad_div, optimizer_div = _shard_divisors(setup.sharding, gpus)
    experts = setup.expert_parallel
    # the routed experts split over the expert-parallel GPUs: their weights, and a full
    # fine-tune's gradients and optimizer states (LoRA's adapters are not split)
    split = experts if setup.method == "full" else 1
    grad_bytes = 4.0 if setup.precision == "fp32" else 2.0
    weights = weight_bytes(model, setup)
    overhead = CONTEXT_OVERHEAD_GB + (MULTI_GPU_OVERHEAD_GB if gpus > 1 else 0.0)
    memory_gb = memory_capacity_gb(system.gpu)
    fit = TrainingMemoryFit(
        system_id=system.id,
        model_id=model.id,
        method=setup.method,
        sharding=setup.sharding,
        weights_gb=held_bytes(weights, model, experts, weight_div) / GB,
        gradients_gb=held_bytes(trainable * grad_bytes, model, split, grad_div) / GB,
        optimizer_gb=0.0
        if setup.offload_optimizer
        else held_bytes(trainable * optimizer_bytes_per_param(setup), model, split, optimizer_div)
        / GB,
        activations_gb=activation_bytes(model, setup) / activation_split(setup, gpus) / GB,
        overhead_gb=overhead,
        gpu_memory_gb=memory_gb,
        fits=False,
        trainable_params=trainable,
    )
    usable = memory_gb * (1.0 - MIN_FREE_SHARE)
    fits = fit.total_gb <= usable
    reasons = (
        f"needs {gib_text(fit.total_gb)} per GPU of {gib_text(usable)} usable "
        f"({gib_text(memory_gb)} less the {MIN_FREE_SHARE:.0%} kept free)",
    )
    return TrainingMemoryFit(**{**fit.__dict__, "fits": fits, "reasons": reasons})
