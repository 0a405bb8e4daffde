"""GPU time of one optimizer step: AdamW streams its tensors through memory once per step.

The step is element-wise, so its time is the bytes it moves over the memory bandwidth. Counted
from the implementations, per trained parameter:

- fused AdamW (torch `_fused_adamw`, `torch.optim.AdamW(fused=True)`; apex/Transformer Engine
  FusedAdam in Megatron-Core; torchtitan's `implementation = "fused"` default; Hugging Face
  Trainer's `adamw_torch_fused`, its default from torch 2.8) reads the parameter, its gradient
  and both moments and writes the parameter and both moments: 7 tensor accesses.
- foreach AdamW (torch `_multi_tensor_adam`, what `torch.optim.AdamW()` runs on CUDA when
  neither `foreach` nor `fused` is given; Hugging Face Trainer's `adamw_torch`, its default up
  to torch 2.7) runs eight list kernels: `_foreach_mul_(params)` 2 accesses (read, write),
  `_foreach_lerp_(exp_avgs, grads)` 3, `_foreach_mul_(exp_avg_sqs)` 2,
  `_foreach_addcmul_(exp_avg_sqs, grads, grads)` 4, `_foreach_sqrt(exp_avg_sqs)` 2,
  `_foreach_div_` 2, `_foreach_add_(eps)` 2, `_foreach_addcdiv_(params, exp_avgs, sqrt)` 4:
  21 accesses.
- gradient-norm clipping (`clip_grad_norm_`, max norm 1.0 by default in the Hugging Face
  Trainer, torchtitan and Megatron-Core) reads every gradient for the norm and scales it in
  place: 3 more accesses.

Each access moves one element of the optimizer's dtype: 4 bytes with fp32 master weights and
states (mixed precision keeps the parameters, gradients and moments the optimizer updates in
fp32), 2 bytes in pure 16-bit training; a framework without a master copy but with fp32
moments (its profile's `master_weights = false`) moves 2 bytes for the parameters and
gradients and 4 for the moments. The optimizer's shard of the parameters is updated by
each GPU (ZeRO-1 and up, FSDP). The step runs once per optimizer step: with gradient
accumulation once every `gradient_accumulation` micro-steps. Its time is charged at the
datasheet bandwidth, a lower bound (streaming kernels reach most, not all, of it).
"""

from __future__ import annotations

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.systems import GpuSystem, pcie_link
from gpuatlas.performance.llm.offload import DEFAULT_HOST_BANDWIDTH_GB_S
from gpuatlas.performance.peak_rates import memory_bandwidth_bytes_s
from gpuatlas.performance.training.memory import (
    TrainingSetup,
    keeps_master_copy,
    optimizer_bytes_per_param,
    optimizer_shards,
    trainable_params,
)

ADAMW_ACCESSES = {"fused": 7.0, "foreach": 21.0}
CLIP_ACCESSES = 3.0
MASTER_BYTES = 4.0  # fp32 parameters, gradients and moments under mixed precision
HALF_BYTES = 2.0  # pure 16-bit training


# of fused AdamW's 7 accesses, the moments' (read and write momentum and variance)
FUSED_MOMENT_ACCESSES = 4.0


def optimizer_bytes_moved_per_param(setup: TrainingSetup) -> float:
    """Bytes one optimizer step moves per trained parameter (AdamW of the setup's
    implementation, plus gradient clipping). A framework that keeps no master copy but fp32
    moments (llm.q's adamw_update over bf16 parameters and gradients with float m and v,
    src/kernels/adamw.cu) moves 16-bit parameters and gradients and fp32 moments."""
    accesses = ADAMW_ACCESSES[setup.optimizer] + CLIP_ACCESSES
    if keeps_master_copy(setup):
        return accesses * MASTER_BYTES
    if not setup.master_weights:
        return accesses * HALF_BYTES
    return accesses * HALF_BYTES + FUSED_MOMENT_ACCESSES * (MASTER_BYTES - HALF_BYTES)


def host_link_bytes_s(gpu: Gpu) -> float:
    """Bytes per second one direction of the GPU's PCIe link to the host carries."""
    per_direction_gb_s = gpu.pcie_per_direction_gb_s or pcie_link(gpu).per_direction_gb_s
    return per_direction_gb_s * 1e9


# DeepSpeedCPUAdam's step (csrc/includes/cpu_adam_impl.h, Step_AVX) loads each fp32 parameter,
# gradient, momentum and variance and stores the parameter and both moments: 7 fp32 accesses
# per parameter of the host's shard.
HOST_ADAM_BYTES_PER_PARAM = 7 * MASTER_BYTES
# After the step the updated partition is copied back into the GPU's 16-bit parameters
# (stage_1_and_2.py: `bit16_partitions[partition_id].data.copy_(fp32_partition.data)`), at least
# 2 B per parameter over the host link. The gradients go down during the backward on their own
# stream (async_inplace_copy_grad_to_fp32_buffer_from_gpu, non_blocking) and are not charged.
HOST_COPY_BACK_BYTES_PER_PARAM = HALF_BYTES
# NVIDIA DGX A100 (its user guide's hardware table): two AMD EPYC 7742 for 8 GPUs; each socket
# has 8 DDR4-3200 channels (AMD's EPYC 7742 specifications: 204.8 GB/s per socket).
SERVER_HOST_BANDWIDTH_BYTES_S = 2 * 204.8e9
SERVER_HOST_BANDWIDTH_SOURCE = (
    "assumed: a DGX A100 host, two EPYC 7742 with 8 channels of DDR4-3200 each (409.6 GB/s)"
)


def host_bandwidth_per_gpu_bytes_s(system: GpuSystem) -> float:
    """The share of the host's memory bandwidth one GPU's optimizer process gets when every
    GPU of the node steps its shard at once: a data-centre node's two-socket server memory,
    else a desktop's dual-channel DDR5-5600 (the offload default), split over the node's
    GPUs."""
    if system.gpu.segment == "datacenter":
        node_bytes_s = SERVER_HOST_BANDWIDTH_BYTES_S
    else:
        node_bytes_s = DEFAULT_HOST_BANDWIDTH_GB_S * 1e9
    return node_bytes_s / system.gpus_per_node


def host_optimizer_step_s(system: GpuSystem, params: float, host_adam_factor: float = 1.0) -> float:
    """Seconds of one ZeRO-Offload optimizer step of a GPU's shard of `params` parameters:
    DeepSpeedCPUAdam streams the fp32 state through the host's memory, then the updated
    partition is copied back to the GPU. The memory-bound time (the CPU's AVX lanes keeping
    up with its memory) is a lower bound; `host_adam_factor` is the calibration's multiple of
    it (DeepSpeed's `host_adam_factor`, fitted on the offload rows by `gpuatlas calibrate`,
    calibration/training_host.py): what the measured host step adds to it. DeepSpeed's
    ZeRO-Offload tutorial ('CPU Adam perf tuning', docs/_tutorials/zero-offload.md) says the
    CPU optimizer's OpenMP code runs near its best only when each rank gets its own cores and
    OMP_NUM_THREADS says how many (`--bind_cores_to_rank`; launcher/launch.py sets the variable
    only then; PR #7474 measured 1.3x on 2x A100 from that switch alone); without it the
    ranks' threads contend for every core of the node."""
    memory_bound_s = params * HOST_ADAM_BYTES_PER_PARAM / host_bandwidth_per_gpu_bytes_s(system)
    host_s = memory_bound_s * host_adam_factor
    copy_back_s = params * HOST_COPY_BACK_BYTES_PER_PARAM / host_link_bytes_s(system.gpu)
    return host_s + copy_back_s


def optimizer_step_s(
    system: GpuSystem, model: ModelArch, setup: TrainingSetup, host_adam_factor: float = 1.0
) -> float:
    """Seconds of one optimizer step on one GPU: its shard of the trained parameters times the
    bytes moved per parameter over the memory bandwidth. With the optimizer state offloaded to
    host memory (llm.q's --offload-master / --offload-opt-m / --offload-opt-v: "this will slow
    down the optimizer step drastically (memory-bound operation)", its README) the update
    streams the state in and out over PCIe, both directions at once: the step takes the longer
    of that and the on-GPU traffic."""
    params = trainable_params(model, setup) / optimizer_shards(setup.sharding, system.gpu_count)
    if setup.optimizer_on_host:
        return host_optimizer_step_s(system, params, host_adam_factor)
    on_gpu_s = (
        params * optimizer_bytes_moved_per_param(setup) / memory_bandwidth_bytes_s(system.gpu)
    )
    if not setup.offload_optimizer:
        return on_gpu_s
    streamed_s = params * optimizer_bytes_per_param(setup) / host_link_bytes_s(system.gpu)
    return max(on_gpu_s, streamed_s)


def optimizer_s_per_micro_step(
    system: GpuSystem, model: ModelArch, setup: TrainingSetup, host_adam_factor: float = 1.0
) -> float:
    """The optimizer step's share of one micro-step: one step per accumulation cycle."""
    step_s = optimizer_step_s(system, model, setup, host_adam_factor)
    return step_s / setup.gradient_accumulation
