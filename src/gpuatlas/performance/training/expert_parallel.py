"""Expert parallelism in training a mixture of experts: the routed experts split over GPUs.

With expert parallelism of degree EP (Megatron-Core's --expert-model-parallel-size,
torchtitan's expert_parallel_degree, NeMo AutoModel's ep_size), each group of EP GPUs shares
one copy of every MoE layer's routed experts, each GPU holding num_experts / EP of them; the
attention, dense and shared-expert weights stay with the data-parallel sharding. What changes:

- Memory: a GPU holds 1/EP of the routed experts' weights, gradients and optimizer states, or
  less where the sharding divides them further (FSDP2 shards an expert shard again over the
  GPUs/EP data-parallel copies: 1/GPUs either way).
- Data-parallel traffic: FSDP gathers and reduce-scatters, and DDP's all-reduce, move the
  routed experts of the GPU's own shard only, 1/EP of them.
- Token traffic: in each MoE layer every token goes to the GPUs holding its top-k experts and
  comes back (dispatch and combine all-to-alls), again for the gradients in the backward pass
  and for a recomputed forward. Inside one node each token is sent once per expert held on
  another GPU; across nodes once per other node holding one of its experts, then forwarded
  inside that node over NVLink (DeepSeek-V3 technical report, arXiv:2412.19437, section 3.2.2
  "Efficient Implementation of Cross-Node All-to-All Communication"; deepseek-ai/DeepEP's
  normal kernels forward from the RDMA to the NVLink domain). Routing is taken as uniform (the
  load-balanced gate the training recipes aim for). The exchanges run in the layer's critical
  path: dispatch waits for the router and the experts wait for their tokens, so they are added
  to the GPU's time, not hidden behind compute (overlapping them across micro-batches, as
  DualPipe does, is not modelled).
"""

from __future__ import annotations

import math

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.systems import GpuSystem, Link
from gpuatlas.performance.collectives import link_latency_s

ACTIVATION_BYTES = 2.0  # tokens travel as bf16 hidden states (FP8 dispatch is not modelled)
# all-to-alls per MoE layer and pass: dispatch and combine in the forward, their gradients in
# the backward (and dispatch and combine again in each recomputed forward)
EXCHANGES_PER_FORWARD = 2
EXCHANGES_PER_BACKWARD = 2


def routed_expert_share(model: ModelArch) -> float:
    """The share of the model's parameters in routed experts (0 for a dense model)."""
    if not model.is_moe:
        return 0.0
    return model.parameter_breakdown()["routed_experts"] / model.total_params()


def expert_parallel_problems(
    system: GpuSystem, model: ModelArch, expert_parallel: int
) -> list[str]:
    """What makes an expert-parallel degree impossible for this model and system."""
    if expert_parallel == 1:
        return []
    if expert_parallel < 1:
        return [f"expert parallelism must be at least 1, got {expert_parallel}"]
    problems = []
    if not model.is_moe:
        problems.append(
            f"expert parallelism {expert_parallel}: {model.id} is dense (no routed experts "
            "to split)"
        )
    elif model.num_experts % expert_parallel:
        problems.append(
            f"expert parallelism {expert_parallel} does not divide {model.id}'s "
            f"{model.num_experts} routed experts"
        )
    if system.gpu_count % expert_parallel:
        problems.append(
            f"expert parallelism {expert_parallel} does not divide the {system.gpu_count} GPUs"
        )
    return problems


def held_bytes(total_bytes: float, model: ModelArch, expert_parallel: int, divisor: int) -> float:
    """What one GPU holds of a per-parameter quantity of `total_bytes` (weights, gradients,
    optimizer states) that the sharding divides by `divisor`: the routed experts' share by the
    larger of that and the expert-parallel degree."""
    if expert_parallel <= 1:
        return total_bytes / divisor
    routed = routed_expert_share(model)
    return total_bytes * ((1.0 - routed) / divisor + routed / max(divisor, expert_parallel))


def moved_bytes(total_bytes: float, model: ModelArch, expert_parallel: int) -> float:
    """What a GPU's data-parallel traffic moves of `total_bytes` of weights (or gradients):
    its own shard of the routed experts and everything else."""
    return held_bytes(total_bytes, model, expert_parallel, 1)


def other_nodes_per_token(experts: int, top_k: int, nodes: int) -> float:
    """Expected nodes, other than its own, that hold at least one of a token's `top_k`
    experts, the `experts` spread evenly over `nodes` and chosen uniformly without
    replacement."""
    if nodes <= 1:
        return 0.0
    per_node = experts / nodes
    none_on_one = 1.0
    for chosen in range(top_k):
        none_on_one *= max(0.0, experts - per_node - chosen) / (experts - chosen)
    return (nodes - 1) * (1.0 - none_on_one)


def _exchange_s(link: Link, participants: int, message_bytes: float) -> float:
    return link_latency_s(link, participants) + message_bytes / (
        link.effective_allreduce_gb_s * 1e9
    )


def exchange_s(system: GpuSystem, model: ModelArch, expert_parallel: int, tokens: int) -> float:
    """One dispatch (or combine) of a GPU's `tokens` in one MoE layer: over the node's link
    when the expert-parallel group fits one node, else over the network to each other node
    holding one of a token's experts (the forwarding inside the node is left out: NVLink
    carries it several times faster than a node's network link per GPU)."""
    hidden_bytes = tokens * model.hidden_size * ACTIVATION_BYTES
    per_node = system.gpus_per_node
    if expert_parallel <= per_node or system.network is None:
        if system.link is None:
            return 0.0
        sends = model.experts_per_token * (expert_parallel - 1) / expert_parallel
        return _exchange_s(system.link, expert_parallel, hidden_bytes * sends)
    nodes = math.ceil(expert_parallel / per_node)
    sends = other_nodes_per_token(model.num_experts, model.experts_per_token, nodes)
    return _exchange_s(system.network, nodes, hidden_bytes * sends)


def all_to_all_s(
    system: GpuSystem,
    model: ModelArch,
    expert_parallel: int,
    tokens: int,
    recomputed_forwards: float,
) -> float:
    """Seconds one micro-step of `tokens` per GPU spends moving tokens to their experts and
    back: every MoE layer's exchanges in the forward, the backward and the recomputed
    forwards (`recomputed_forwards`: 1 for full activation checkpointing, 0 without)."""
    if expert_parallel <= 1 or not model.is_moe:
        return 0.0
    exchanges = EXCHANGES_PER_FORWARD * (1.0 + recomputed_forwards) + EXCHANGES_PER_BACKWARD
    return model.moe_layers * exchanges * exchange_s(system, model, expert_parallel, tokens)


def all_to_all_note(expert_parallel: int, seconds: float, step_s: float) -> str:
    """What the expert-parallel exchanges cost, said beside the step time."""
    return (
        f"expert parallelism over {expert_parallel} GPUs: the tokens' trips to their experts "
        f"and back (all-to-all) take {seconds:.2f} s of the {step_s:.2f} s micro-step, not "
        "hidden behind compute"
    )
