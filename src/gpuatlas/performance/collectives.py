"""Collective communication times over a system's links (ring all-reduce, hierarchical)."""

from __future__ import annotations

import math

from gpuatlas.catalog.systems import GpuSystem, Link
from gpuatlas.performance.primitives import SCALAR, Primitives, Value


def link_latency_s(link: Link, participants: int) -> float:
    """Small-message latency of one collective: per-hop latency x (1 + log2 n) (NCCL LL/tree)."""
    return link.latency_us * 1e-6 * (1.0 + math.log2(max(participants, 2)))


def ring_allreduce_s(
    link: Link, participants: int, message_bytes: Value, ops: Primitives = SCALAR
) -> Value:
    """Ring all-reduce: each GPU sends and receives 2(n−1)/n of the message over the link."""
    if participants <= 1:
        return 0.0
    wire_bytes = 2.0 * (participants - 1) / participants * message_bytes
    wire_s = wire_bytes / (link.effective_allreduce_gb_s * 1e9)
    seconds = link_latency_s(link, participants) + wire_s
    return ops.where(message_bytes > 0, seconds, 0.0)


def allreduce_s(system: GpuSystem, message_bytes: Value, ops: Primitives = SCALAR) -> Value:
    """All-reduce of `message_bytes` per GPU across the whole system.

    One node: a ring over the intra-node link. Several nodes: reduce-scatter inside each node,
    all-reduce of each GPU's shard across nodes (one NIC per GPU), all-gather inside the node.
    """
    if system.gpu_count <= 1:
        return 0.0
    per_node = system.gpus_per_node
    intra = ring_allreduce_s(system.link, per_node, message_bytes, ops) if system.link else 0.0
    if system.nodes <= 1 or system.network is None:
        return ops.where(message_bytes > 0, intra, 0.0)
    shard_bytes = message_bytes / per_node
    inter = ring_allreduce_s(system.network, system.nodes, shard_bytes, ops)
    return ops.where(message_bytes > 0, intra + inter, 0.0)


def activation_message_bytes(tokens: Value, hidden: int) -> Value:
    """Bytes of one tensor-parallel all-reduce: a step's activations in 16-bit."""
    return tokens * hidden * 2.0


def tensor_parallel_step_s(
    system: GpuSystem, layers: int, tokens: Value, hidden: int, ops: Primitives = SCALAR
) -> Value:
    """Megatron tensor parallelism: two all-reduces of the activations per layer per step.

    Decode all-reduces are small (batch x hidden x 2 bytes) and latency-bound: each one pays
    the ring's 2(n−1) link latencies (the research notes' α term), not a tree's log2 n, which
    is what 8-GPU decode measurements show (e.g. 405B on 8x MI300X at batch 1). It holds for
    engines with their own one-shot all-reduce kernel too: AMD's 2025 vLLM builds (custom
    all-reduce, ~7 µs per 2-32 KB call over 4 MI300-series GPUs: sgl-project/sglang pull
    #6619) take 8.4 ms per token for Llama 3.1 70B FP8 at TP8 and batch 1 (ROCm/vllm
    docs/dev-docker/README.md, vLLM 0.9.1); charging only the kernel's latency predicts those
    rows 1.05-1.3x too fast (leave-one-source-out), the ring term 0.8-1.0x: the per-layer
    kernels of a step split 8 ways cost more than their bytes, a floor the α term stands in for.
    vLLM on NVLink-connected NVIDIA GPUs is costed by `one_shot_allreduce_step_s` instead, from
    its kernel's measured times."""
    if system.gpu_count <= 1:
        return 0.0
    message_bytes = activation_message_bytes(tokens, hidden)
    return 2 * layers * (allreduce_s(system, message_bytes, ops) + _ring_latency_extra_s(system))


def one_shot_allreduce_step_s(
    system: GpuSystem,
    layers: int,
    tokens: Value,
    hidden: int,
    measured: tuple[tuple[int, float, float], ...],
    max_mb: float,
    ops: Primitives = SCALAR,
) -> Value:
    """Tensor parallelism on an engine with its own one-shot all-reduce kernel over NVLink
    (`measured`: GPUs, µs per call, µs per MB of message, as benchmarked for the engine). The
    engine sends each all-reduce to whichever of its kernel and NCCL is faster (vLLM sets its
    size limits at the measured crossovers), so a call costs the lesser of the kernel's time
    and the ring's (`tensor_parallel_step_s`); messages above `max_mb` go to NCCL. Systems the
    kernel does not serve (no NVLink between all GPUs, several nodes, a GPU count it was not
    measured on) keep the ring."""
    ring_s = tensor_parallel_step_s(system, layers, tokens, hidden, ops)
    times = {gpus: (base_us, per_mb_us) for gpus, base_us, per_mb_us in measured}
    link = system.link
    served = link is not None and link.kind == "nvlink" and link.peer_to_peer
    if not served or system.nodes > 1 or system.gpu_count not in times:
        return ring_s
    base_us, per_mb_us = times[system.gpu_count]
    message_mb = activation_message_bytes(tokens, hidden) / 1e6
    kernel_s = 2 * layers * (base_us + per_mb_us * message_mb) * 1e-6
    kernel_serves = (message_mb <= max_mb) & (kernel_s < ring_s)
    return ops.where(kernel_serves, kernel_s, ring_s)


def _ring_latency_extra_s(system: GpuSystem) -> float:
    """Ring latency 2(n−1)·α beyond the tree latency `allreduce_s` already counts."""
    link, participants = system.link, system.gpus_per_node
    if link is None or participants <= 1:
        return 0.0
    ring_s = 2.0 * (participants - 1) * link.latency_us * 1e-6
    return max(0.0, ring_s - link_latency_s(link, participants))


def layer_split_hop_s(system: GpuSystem, tokens: Value, hidden: int) -> Value:
    """Layer split (pipeline without overlap): activations cross n−1 GPU boundaries per step."""
    if system.gpu_count <= 1 or system.link is None:
        return 0.0
    hop_bytes = tokens * hidden * 2.0
    per_hop = system.link.latency_us * 1e-6 + hop_bytes / (system.link.per_direction_gb_s * 1e9)
    return (system.gpu_count - 1) * per_hop
