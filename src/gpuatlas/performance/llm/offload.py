"""llama.cpp / Ollama partial offload: some layers (`--gpu-layers N`, Ollama `num_gpu`) or the
MoE experts (`--cpu-moe`, `-ot exps=CPU`) stay in host memory.

What stays on the CPU runs at host memory bandwidth: a decode step reads every weight it uses
once, so the step takes (bytes read on the GPU / GPU bandwidth) + (bytes read on the CPU / host
bandwidth). The figures here are bandwidth ceilings at batch 1 (no kernel efficiency), to show
the consequence of offloading next to the all-GPU case, not a calibrated prediction.
Token embeddings are a lookup (one row per token) and are not counted as read.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.engine_profiles import EngineProfile
from gpuatlas.performance.llm.host_memory import HostNeed, host_ram_of, host_shortfall_message
from gpuatlas.performance.llm.memory import (
    GB,
    MemoryInputs,
    activations_gb,
    fit_usable_gb,
    gib_text,
    kv_per_sequence_gb,
    per_layer_table_bytes,
)
from gpuatlas.performance.llm.shape import LlmShape, llm_shape

# Dual-channel DDR5-5600: 2 channels x 8 bytes x 5,600 MT/s = 89.6 GB/s (theoretical); a
# stated assumption for a desktop host, overridable (--host-bandwidth-gbs).
DEFAULT_HOST_BANDWIDTH_GB_S = 89.6
HOST_BANDWIDTH_SOURCE = "dual-channel DDR5-5600, 2 x 8 bytes x 5,600 MT/s (theoretical)"
OFFLOAD_ENGINE_NAMES = ("llama.cpp", "ollama")  # the engines that split layers (-ngl, num_gpu)


def splits_layers(engine: EngineProfile, gpu: Gpu) -> bool:
    """Whether the engine splits layers between a discrete GPU and the CPU by itself: llama.cpp
    and Ollama on every GPU backend (CUDA, ROCm, Vulkan, SYCL: 'ollama-rocm' was refused), not
    their Metal or CPU builds, nor on a unified-memory device."""
    return (
        engine.engine in OFFLOAD_ENGINE_NAMES
        and not set(engine.backends) & {"metal", "cpu"}
        and not getattr(gpu, "unified_memory", False)
    )


@dataclass(frozen=True)
class OffloadPlan:
    """Where the weights live and what that does to the decode ceiling."""

    gpu_layers: int
    total_layers: int
    experts_on_cpu: bool
    gpu_weights_gb: float  # per GPU
    cpu_weights_gb: float
    gpu_total_gb: float  # per GPU: weights + KV of GPU layers + activations + runtime
    usable_gb: float
    fits: bool
    decode_ceiling_tok_s: float
    all_gpu_ceiling_tok_s: float
    host_bandwidth_gb_s: float
    most_layers_that_fit: int | None = None  # layers the GPU holds at this context (not --cpu-moe)
    host_ram_gb: float = 0.0  # the machine's RAM (llm.host_memory: as given, or assumed)
    host_need_gb: float = 0.0  # weights and KV on the CPU + the OS's reserve
    host_refusal: str = ""  # why the CPU side does not fit the host's RAM ("" when it does)

    @property
    def host_fits(self) -> bool:
        return not self.host_refusal

    def describe(self) -> str:
        where = (
            "MoE experts in host memory"
            if self.experts_on_cpu
            else f"{self.gpu_layers} of {self.total_layers} layers on the GPU"
        )
        slower = self.all_gpu_ceiling_tok_s / self.decode_ceiling_tok_s
        return (
            f"{where}: {gib_text(self.cpu_weights_gb)} of weights run from host memory at "
            f"{self.host_bandwidth_gb_s:g} GB/s; decode ceiling "
            f"{self.decode_ceiling_tok_s:,.0f} tok/s vs {self.all_gpu_ceiling_tok_s:,.0f} "
            f"all on the GPU ({slower:.1f}x slower)"
        )


@dataclass(frozen=True)
class Split:
    """Bytes held and bytes read per decode token, on the GPU side and the CPU side."""

    gpu_held: float
    cpu_held: float
    gpu_read: float
    cpu_read: float


def _layer_bytes(shape: LlmShape, head_bytes: float) -> tuple[float, float, float]:
    """(bytes per layer held, per layer read per token, routed-expert bytes per layer held)."""
    layers = shape.num_layers
    # the per-layer input table (Gemma 4 E2B/E4B) is an input tensor: ggml keeps it on the CPU
    blocks = (
        shape.total_weight_bytes - shape.embedding_bytes - head_bytes - shape.per_layer_table_bytes
    )
    experts_held = shape.moe_layers * shape.num_experts * shape.expert_bytes / layers
    experts_read = shape.moe_layers * shape.experts_per_token * shape.expert_bytes / layers
    held = blocks / layers
    return held, held - experts_held + experts_read, experts_held


def _head_bytes(inputs: MemoryInputs, shape: LlmShape) -> float:
    return 0.0 if inputs.model.tie_word_embeddings else shape.embedding_bytes


def _split(inputs: MemoryInputs, gpu_layers: int, experts_on_cpu: bool) -> Split:
    shape = llm_shape(inputs.model, inputs.weight_format)
    head = _head_bytes(inputs, shape)
    head_read = shape.embedding_bytes if head == 0.0 else head  # tied heads read the table
    held, read, experts_held = _layer_bytes(shape, head)
    layers = shape.num_layers
    host_tables = shape.embedding_bytes + per_layer_table_bytes(inputs)  # as the engine ships it
    if experts_on_cpu:
        experts_read = shape.moe_layers * shape.experts_per_token * shape.expert_bytes
        return Split(
            layers * (held - experts_held) + head,
            layers * experts_held + host_tables,
            layers * read - experts_read + head_read,
            experts_read,
        )
    on_gpu = min(gpu_layers, layers)
    head_on_gpu = gpu_layers > layers  # llama.cpp offloads the output layer last
    return Split(
        gpu_held=on_gpu * held + (head if head_on_gpu else 0.0),
        cpu_held=(layers - on_gpu) * held + (0.0 if head_on_gpu else head) + host_tables,
        gpu_read=on_gpu * read + (head_read if head_on_gpu else 0.0),
        cpu_read=(layers - on_gpu) * read + (0.0 if head_on_gpu else head_read),
    )


def layer_bytes(inputs: MemoryInputs) -> float:
    """Bytes one repeating layer holds in this format (the blocks' bytes over the layers)."""
    shape = llm_shape(inputs.model, inputs.weight_format)
    return _layer_bytes(shape, _head_bytes(inputs, shape))[0]


def split_for(inputs: MemoryInputs, gpu_layers: int, experts_on_cpu: bool = False) -> Split:
    """Bytes held and read per decode token on each side with `gpu_layers` on the GPU
    (layers + 1: the output layer too), or with the routed experts in host memory."""
    return _split(inputs, gpu_layers, experts_on_cpu)


def experts_split(inputs: MemoryInputs, expert_layers: int) -> Split:
    """Every layer on the GPU but the routed experts of `expert_layers` of them in host memory
    (llama.cpp --n-cpu-moe N; N = the layer count is --cpu-moe)."""
    shape = llm_shape(inputs.model, inputs.weight_format)
    _held, read, experts_held = _layer_bytes(shape, _head_bytes(inputs, shape))
    experts_read = (
        shape.moe_layers * shape.experts_per_token * shape.expert_bytes / shape.num_layers
    )
    whole = _split(inputs, shape.num_layers + 1, False)
    moved_held, moved_read = expert_layers * experts_held, expert_layers * experts_read
    return Split(
        gpu_held=whole.gpu_held - moved_held,
        cpu_held=whole.cpu_held + moved_held,
        gpu_read=whole.gpu_read - moved_read,
        cpu_read=whole.cpu_read + moved_read,
    )


def fewest_expert_layers_on_cpu(inputs: MemoryInputs, context_tokens: int) -> int | None:
    """The smallest --n-cpu-moe whose memory fits the GPU (0: the model fits; None: not even
    every layer's experts in host memory make room)."""
    usable = fit_usable_gb(inputs.system, inputs.engine)
    layers = inputs.model.num_layers

    def fits(count: int) -> bool:
        split = experts_split(inputs, count)
        return _gpu_total_gb(inputs, split, layers + 1, True, context_tokens) <= usable

    if not fits(layers):
        return None
    low, high = 0, layers  # the GPU's share only shrinks as layers' experts move: bisect
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if fits(middle) else (middle + 1, high)
    return low


def most_layers_that_fit(inputs: MemoryInputs, context_tokens: int) -> int:
    """The largest --gpu-layers whose memory fits (layers + 1: the output layer too)."""
    return _most_layers_that_fit(
        inputs, context_tokens, fit_usable_gb(inputs.system, inputs.engine)
    )


def _check(inputs: MemoryInputs, gpu_layers: int | None, experts_on_cpu: bool) -> None:
    problems = []
    if inputs.engine.engine not in OFFLOAD_ENGINE_NAMES:
        problems.append(
            f"partial offload is a llama.cpp/Ollama option; engine {inputs.engine.id} "
            "keeps every weight on the GPU (use --engine llama.cpp or ollama)"
        )
    if experts_on_cpu and not inputs.model.is_moe:
        problems.append(f"--cpu-moe needs a mixture-of-experts model; {inputs.model.id} is dense")
    if gpu_layers is not None and gpu_layers < 0:
        problems.append(f"--gpu-layers must be 0 or more, got {gpu_layers}")
    if problems:
        raise InvalidRequestError(problems)


def plan_offload(
    inputs: MemoryInputs,
    *,
    context_tokens: int,
    gpu_layers: int | None = None,
    experts_on_cpu: bool = False,
    host_bandwidth_gb_s: float = DEFAULT_HOST_BANDWIDTH_GB_S,
) -> OffloadPlan:
    """Memory per GPU and the decode ceiling with some weights in host memory."""
    _check(inputs, gpu_layers, experts_on_cpu)
    layers = inputs.model.num_layers
    requested = layers + 1 if gpu_layers is None else gpu_layers
    split = _split(inputs, requested, experts_on_cpu)
    gpus = inputs.system.gpu_count
    total = _gpu_total_gb(inputs, split, requested, experts_on_cpu, context_tokens)
    usable = fit_usable_gb(inputs.system, inputs.engine)
    gpu_bw = (inputs.system.gpu.memory_bandwidth_gb_s or 0.0) * 1e9
    if gpu_bw <= 0 or host_bandwidth_gb_s <= 0:
        raise InvalidRequestError(["offload needs the GPU's and the host's memory bandwidth"])
    step = split.gpu_read / gpu_bw + split.cpu_read / (host_bandwidth_gb_s * 1e9)
    all_gpu = (split.gpu_read + split.cpu_read) / gpu_bw
    cpu_share = 0.0 if experts_on_cpu else 1.0 - min(requested, layers) / layers
    need = HostNeed(split.cpu_held / GB, kv_per_sequence_gb(inputs, 1, context_tokens) * cpu_share)
    host = host_ram_of(inputs.system)
    return OffloadPlan(
        gpu_layers=min(requested, layers) if not experts_on_cpu else layers,
        total_layers=layers,
        experts_on_cpu=experts_on_cpu,
        gpu_weights_gb=split.gpu_held / gpus / GB,
        cpu_weights_gb=split.cpu_held / GB,
        gpu_total_gb=total,
        usable_gb=usable,
        fits=total <= usable,
        decode_ceiling_tok_s=1.0 / step,
        all_gpu_ceiling_tok_s=1.0 / all_gpu,
        host_bandwidth_gb_s=host_bandwidth_gb_s,
        most_layers_that_fit=None
        if experts_on_cpu
        else _most_layers_that_fit(inputs, context_tokens, usable),
        host_ram_gb=host.memory_gb,
        host_need_gb=need.total_gb,
        host_refusal=""
        if need.total_gb <= host.memory_gb
        else host_shortfall_message(need, host, "the CPU side of this split"),
    )


def _gpu_total_gb(
    inputs: MemoryInputs, split: Split, requested: int, experts_on_cpu: bool, context_tokens: int
) -> float:
    """Per GPU: the weights it holds (with a multimodal checkpoint's image tower, which
    llama.cpp loads on the GPU unless --no-mmproj-offload) + the KV of its layers +
    activations + runtime."""
    gpus = inputs.system.gpu_count
    layers = inputs.model.num_layers
    gpu_share = 1.0 if experts_on_cpu else min(requested, layers) / layers
    kv = kv_per_sequence_gb(inputs, gpus, context_tokens) * gpu_share
    vision = llm_shape(inputs.model, inputs.weight_format).vision_bytes
    return (
        (split.gpu_held + vision) / gpus / GB
        + kv
        + activations_gb(inputs, gpus, context_tokens, 1)
        + inputs.engine.cuda_context_gb
    )


def _most_layers_that_fit(inputs: MemoryInputs, context_tokens: int, usable_gb: float) -> int:
    """The largest --gpu-layers whose memory fits the GPU (0 when not even one layer does;
    layers + 1 when the output layer fits too), by bisection over the layer count."""
    low, high = 0, inputs.model.num_layers + 1
    while low < high:
        middle = (low + high + 1) // 2
        split = _split(inputs, middle, False)
        if _gpu_total_gb(inputs, split, middle, False, context_tokens) <= usable_gb:
            low = middle
        else:
            high = middle - 1
    return low


__all__ = ["DEFAULT_HOST_BANDWIDTH_GB_S", "HOST_BANDWIDTH_SOURCE", "OffloadPlan", "plan_offload"]
