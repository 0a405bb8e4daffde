"""Host (CPU) time of one training micro-step: the floor a small step cannot go below.

An eager framework dispatches every operator from Python: each costs roughly 5-25 µs of CPU
work (Python call, autograd node, ATen dispatch, cudaLaunchKernel) before its kernel runs,
whatever the kernel's size ("From PyTorch op to kernel launch", jiahuanglin.xyz
gpu_kernel_serving lesson 18, read 2026-12-03; an NVIDIA Nsight Systems example quoted by
groundy.com, "Every CUDA kernel pays a launch tax": ~20 µs for one PyTorch element-wise op on a
V100). The CPU runs ahead of the GPU, so the step takes the longer of the two: a large step is
GPU-bound and never sees this term; a step of a few hundred tokens on a 3B model is
launch-bound (huggingface/peft's 840-token LoRA steps on an L40S). The optimizer step and
gradient-sync latency are not separate terms: the fitted factor carries what the rows show.

A decoder layer's eager forward dispatches about `FORWARD_OPS_PER_LAYER` operators, counted
from transformers' LlamaDecoderLayer (v4.5x, SDPA attention): two RMSNorms of 8 ops each
(to-fp32, pow, mean, add, rsqrt, mul, to-dtype, mul), 7 linear projections, rotary embedding of
q and k (7 ops each: two muls, rotate_half's two slices, neg and cat, add), SDPA with its
transposes/reshapes (4), SiLU and the gate product (2), two residual adds. The backward pass
dispatches about two operators per forward one (an input and a weight gradient, or an
element-wise backward and its accumulation) and recomputation one forward more.

A framework that captures each layer's work as CUDA graphs (its profile's `cuda_graphs`, e.g.
llm.q: one graph for a block's forward, one for its recompute and backward) launches
`GRAPH_LAUNCHES_PER_LAYER` graphs per layer instead; a graph launch is taken at one operator's
dispatch cost, so such a step is practically never host-bound.

The per-operator cost is the documented midpoint; the calibration fits a factor on it per
training framework (`train_host_factor`, calibration/training_host.py), shrunk toward 1.
"""

from __future__ import annotations

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.performance.training.engines import training_engines
from gpuatlas.performance.training.memory import TrainingSetup

FORWARD_OPS_PER_LAYER = 45
BACKWARD_OPS_PER_FORWARD_OP = 2.0
HOST_US_PER_OP = 10.0  # within the documented 5-25 µs of CPU work per eager operator
GRAPH_LAUNCHES_PER_LAYER = 2.0  # the block's forward graph and its (recompute +) backward graph


def dispatched_ops(model: ModelArch, setup: TrainingSetup, recompute: bool) -> float:
    """Operators one micro-step dispatches: forward, backward and any recomputed forward (or
    the graphs a CUDA-graph framework launches instead)."""
    if training_engines()[setup.engine].cuda_graphs:
        return model.num_layers * GRAPH_LAUNCHES_PER_LAYER
    passes = 1.0 + BACKWARD_OPS_PER_FORWARD_OP + (setup.recompute_share if recompute else 0.0)
    return model.num_layers * FORWARD_OPS_PER_LAYER * passes


def host_step_s(
    model: ModelArch, setup: TrainingSetup, recompute: bool, host_factor: float = 1.0
) -> float:
    """CPU seconds to dispatch one micro-step at the framework's fitted factor."""
    return dispatched_ops(model, setup, recompute) * HOST_US_PER_OP * 1e-6 * host_factor
