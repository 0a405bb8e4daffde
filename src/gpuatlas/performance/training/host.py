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

What a run adds to a layer's forward, counted from the implementations:
- LoRA adapters (peft's lora.Linear.forward, `result + lora_B(lora_A(dropout(x))) * scaling`,
  dropout an nn.Identity at p = 0): lora_A, lora_B, the scaling product and the add,
  `LORA_OPS_PER_ADAPTED_LINEAR` operators on every adapted linear layer (token_traffic's
  lora_linear_count: attention and MLP);
- a bitsandbytes 4-bit base (QLoRA): MatMul4Bit.forward runs `F.dequantize_4bit(B, quant_state)`
  before `torch.nn.functional.linear`, so every base linear layer dispatches one dequantize
  kernel more (`QLORA_DEQUANT_OPS_PER_LINEAR`; its backward dequantizes again, which the
  backward's two operators per forward one cover);
- eager attention (transformers' `eager_attention_forward`, the only path before SDPA became
  its default in v4.36, and `attn_implementation="eager"` after): matmul(q, kᵀ), the scaling,
  the mask add, softmax in fp32, the cast back, dropout and matmul(p, v): 7 operators where
  SDPA dispatches 1, `EAGER_ATTENTION_EXTRA_OPS` more per layer.

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
from gpuatlas.performance.training.token_traffic import lora_linear_count

FORWARD_OPS_PER_LAYER = 45
BACKWARD_OPS_PER_FORWARD_OP = 2.0
HOST_US_PER_OP = 10.0  # within the documented 5-25 µs of CPU work per eager operator
GRAPH_LAUNCHES_PER_LAYER = 2.0  # the block's forward graph and its (recompute +) backward graph
LORA_OPS_PER_ADAPTED_LINEAR = 4  # lora_A, lora_B, * scaling, + base output
QLORA_DEQUANT_OPS_PER_LINEAR = 1  # F.dequantize_4bit before each base linear
EAGER_ATTENTION_EXTRA_OPS = 6  # 7 eager attention operators in place of one SDPA call


def forward_ops_per_layer(model: ModelArch, setup: TrainingSetup) -> float:
    """Operators one decoder layer's eager forward dispatches: the SDPA layer's, plus LoRA's
    adapters, QLoRA's dequantize kernels and eager attention's extra operators."""
    ops = float(FORWARD_OPS_PER_LAYER)
    if setup.method != "full":
        ops += LORA_OPS_PER_ADAPTED_LINEAR * lora_linear_count(model)
    if setup.method == "qlora":
        ops += QLORA_DEQUANT_OPS_PER_LINEAR * lora_linear_count(model)
    if setup.eager_attention:
        ops += EAGER_ATTENTION_EXTRA_OPS
    return ops


def dispatched_ops(model: ModelArch, setup: TrainingSetup, recompute: bool) -> float:
    """Operators one micro-step dispatches: forward, backward and any recomputed forward (or
    the graphs a CUDA-graph framework launches instead)."""
    if training_engines()[setup.engine].cuda_graphs:
        return model.num_layers * GRAPH_LAUNCHES_PER_LAYER
    passes = 1.0 + BACKWARD_OPS_PER_FORWARD_OP + (setup.recompute_share if recompute else 0.0)
    return model.num_layers * forward_ops_per_layer(model, setup) * passes


def host_step_s(
    model: ModelArch, setup: TrainingSetup, recompute: bool, host_factor: float = 1.0
) -> float:
    """CPU seconds to dispatch one micro-step at the framework's fitted factor."""
    return dispatched_ops(model, setup, recompute) * HOST_US_PER_OP * 1e-6 * host_factor
