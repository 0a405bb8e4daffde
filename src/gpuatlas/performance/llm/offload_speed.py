"""Automatic partial offload as llama.cpp and Ollama do it, and the speed it leaves.

When a GGUF model does not fit the GPU, Ollama (and llama.cpp asked for as many layers as fit)
keeps the first layers on the GPU and the rest in host memory; the CPU runs those layers.

How many layers: Ollama's rule (`EstimateGPULayers`, llm/memory.go, Ollama 0.1.3x-0.12; the
same rule reads the per-layer sizes from the GGUF): the GPU's free memory less a minimum of
457 MiB (`cudaMinimumMemory` / `rocmMinimumMemory`, discover/gpu.go), one layer kept as a
buffer and the compute graph (`GraphSize`, fs/ggml/ggml.go: the larger of the partial- and
full-offload graphs at the batch of min(num_ctx, 512)); then each layer (its weights plus its
f16 KV cache at num_ctx) while it fits, then the output layer. num_ctx is Ollama's default
context: 2048 before 0.6.7 (PR #10364/#10451, 2025-04), 4096 from then, by VRAM from 0.15.5
(2026-02-03: 4096 below 24 GiB, 32768 to 48 GiB, 262144 above; issue #14073). The graph is
written with Ollama's formula for the llama architecture (other architectures have their own
constants; the differences move the count by a layer or two). llama.cpp (`-ngl` as high as
fits) takes the most layers whose weights, KV and activations fit (`offload.most_layers_that_fit`).

The speed: a decode step reads each weight once, so it takes the GPU's share of the calibrated
all-GPU step plus the bytes read from host memory at the host's sustained bandwidth. A prompt of
32 tokens or more runs every layer on the GPU (ggml's scheduler copies the host-held weights
over PCIe for each batch of up to 512 tokens: `GGML_OP_OFFLOAD_MIN_BATCH` = 32 in
ggml-backend.cpp, op offload on by default since llama.cpp PR #13386, 2025-05), so prefill is the
all-GPU prefill plus those copies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpuatlas.errors import InvalidRequestError
from gpuatlas.memo import IdentityMemo
from gpuatlas.performance.context_defaults import ContextDefault, default_context
from gpuatlas.performance.llm.host_memory import HostNeed, require_host_room
from gpuatlas.performance.llm.memory import (
    GB,
    GIB,
    MemoryInputs,
    gpu_memory_gb,
    kv_per_sequence_gb,
    max_context_one_sequence,
    max_sequences,
    model_max_context,
    per_layer_table_bytes,
)
from gpuatlas.performance.llm.offload import (
    DEFAULT_HOST_BANDWIDTH_GB_S,
    HOST_BANDWIDTH_SOURCE,
    OFFLOAD_ENGINE_NAMES,
    Split,
    experts_split,
    fewest_expert_layers_on_cpu,
    layer_bytes,
    most_layers_that_fit,
    split_for,
    splits_layers,
)
from gpuatlas.performance.llm.shape import (
    attention_read_layers,
    kv_bytes_per_token_layer,
    llm_shape,
)
from gpuatlas.performance.model_constants import model_constant

MIB = 1024**2
OLLAMA_MINIMUM_MEMORY_BYTES = 457 * MIB  # discover/gpu.go cudaMinimumMemory, rocmMinimumMemory
OLLAMA_BATCH_TOKENS = 512  # api.Options NumBatch default
OLLAMA_DEFAULT_NUM_CTX = 4096  # without a rule in context_defaults.toml (there is one)
OFFLOAD_MIN_BATCH_TOKENS = 32  # ggml-backend.cpp GGML_OP_OFFLOAD_MIN_BATCH
UBATCH_TOKENS = 512  # llama.cpp / Ollama default physical batch
# PCIe 4.0 x16 per direction, 16 GT/s x 16 lanes x 128/130 (theoretical), for a GPU whose link
# the catalog does not give.
DEFAULT_PCIE_GB_S = 31.5
HOST_MEMORY_EFFICIENCY = model_constant("llm", "offload_host_memory_efficiency")


@dataclass(frozen=True)
class OffloadSpeed:
    """Where the layers run and what it costs per token (decode) and per prompt (prefill)."""

    gpu_layers: int  # repeating layers on the GPU
    total_layers: int
    output_on_gpu: bool
    rule: str  # how the count was chosen, in words
    cpu_weights_gb: float  # held in host memory
    cpu_read_gb: float  # read from host memory per decode token
    read_gb: float  # read per decode token in all (GPU and host)
    host_bandwidth_gb_s: float  # theoretical, as given or assumed
    host_bandwidth_source: str
    pcie_gb_s: float
    experts_on_cpu: bool = False  # the routed experts in host memory, the rest on the GPU
    # KV cache of the CPU's layers, per token of one sequence: (full-attention, sliding-window)
    # GB per attended position, and the window (0: none). llama.cpp allocates each layer's KV
    # on that layer's device (llama-kv-cache.cpp: the buffer type of model.dev_layer(il); Ollama's
    # runner the same per layer), so the CPU's layers attend over KV in host memory.
    cpu_kv_full_gb_per_token: float = 0.0
    cpu_kv_window_gb_per_token: float = 0.0
    kv_window_tokens: int = 0
    # of `cpu_weights_gb`, a lookup table ggml gathers rows of on the CPU and never uploads
    # (Gemma 4 E2B/E4B's per-layer input table): not copied to the GPU for a prompt batch
    cpu_lookup_gb: float = 0.0

    def cpu_kv_read_gb(self, sequences: float, context_tokens: float) -> float:
        """KV bytes the CPU's layers read in one decode step of `sequences` sequences at
        `context_tokens` cached tokens each (every cached position, as ggml's attention does)."""
        context = max(0.0, float(context_tokens))
        windowed = min(context, self.kv_window_tokens) if self.kv_window_tokens else context
        per_sequence = (
            self.cpu_kv_full_gb_per_token * context + self.cpu_kv_window_gb_per_token * windowed
        )
        return max(0.0, float(sequences)) * per_sequence

    def describe(self) -> str:
        where = (
            f"MoE experts in host memory ({self.rule}), the rest on the GPU"
            if self.experts_on_cpu
            else f"{self.gpu_layers} of {self.total_layers} layers on the GPU "
            f"({self.rule}), the rest on the CPU"
        )
        return (
            f"{where}: {self.cpu_weights_gb:.1f} GB of weights in host memory at "
            f"{self.host_bandwidth_gb_s:g} GB/s ({self.host_bandwidth_source})"
        )


def is_ollama(inputs: MemoryInputs) -> bool:
    return inputs.engine.engine == "ollama"


def _graph_bytes(inputs: MemoryInputs, num_ctx: int) -> float:
    """Ollama's compute-graph reserve for the llama architecture: the larger of its
    partial-offload and full-offload graphs (fs/ggml/ggml.go GraphSize)."""
    model = inputs.model
    batch = float(min(num_ctx, OLLAMA_BATCH_TOKENS))
    embedding = float(model.hidden_size)
    heads = float(model.num_attention_heads)
    heads_kv = float(model.num_kv_heads)
    head_dim = float(model.head_dim)
    vocab = float(model.vocab_size)
    context = float(num_ctx)
    full = max(
        4 * batch * (1 + 4 * embedding + context * (1 + heads)), 4 * batch * (embedding + vocab)
    )
    partial = 4 * batch * embedding + max(
        4 * batch * (1 + embedding + max(context, embedding))
        + embedding * embedding * 9 / 16
        + 4 * context * (batch * heads + head_dim * heads_kv),
        4 * batch * (embedding + vocab) + embedding * vocab * 105 / 128,
    )
    return max(full, partial)


def ollama_gpu_layers(inputs: MemoryInputs, num_ctx: int) -> tuple[int, bool]:
    """(repeating layers on the GPU, whether the output layer fits too) by Ollama's rule, on
    one GPU or spread over the system's GPUs (each keeps its own minimum and graph; a
    multimodal model's projector weights are reserved first, llm/memory.go's
    gpuZeroOverhead, spread here over the GPUs)."""
    shape = llm_shape(inputs.model, inputs.weight_format)
    layers = shape.num_layers
    held = layer_bytes(inputs)
    kv_layer = kv_per_sequence_gb(inputs, 1, num_ctx) * GB / layers
    per_layer = held + kv_layer
    head = shape.embedding_bytes  # 'output' or, tied, 'token_embd': both one table's bytes
    graph = _graph_bytes(inputs, num_ctx)
    free = gpu_memory_gb(inputs.system) * GB - inputs.engine.cuda_context_gb * GB
    projector = shape.vision_bytes / inputs.system.gpu_count
    reserve = OLLAMA_MINIMUM_MEMORY_BYTES + per_layer + graph + projector
    if free < reserve + per_layer:
        return 0, False
    per_gpu = int((free - reserve) // per_layer)
    room = free - reserve - per_gpu * per_layer
    if per_gpu * inputs.system.gpu_count >= layers:
        spare = (per_gpu * inputs.system.gpu_count - layers) * per_layer + room
        return layers, spare > head
    return per_gpu * inputs.system.gpu_count, False


def total_gpu_memory_gib(inputs: MemoryInputs) -> float:
    """The GPU memory Ollama sizes its default context by: every GPU's total as the driver
    reports it (the catalog's "24 GB" is 24 GiB; on Apple silicon the GPU's share of unified
    memory), summed over the GPUs (server/routes.go Serve)."""
    return gpu_memory_gb(inputs.system) * GB / GIB * inputs.system.gpu_count


def ollama_default_context(inputs: MemoryInputs, engine_text: str | None = None) -> ContextDefault:
    """Ollama's default num_ctx on this system for this model at the version written in
    `engine_text` ('Ollama 0.12': 4,096; unstated: the newest release's 4k/32k/256k by GPU
    memory), capped at the model's trained context (context_defaults.toml)."""
    total_gib = total_gpu_memory_gib(inputs)
    found = default_context("ollama", engine_text, total_gib, model_max_context(inputs.model))
    return found or ContextDefault(OLLAMA_DEFAULT_NUM_CTX, "")


def default_num_ctx(
    inputs: MemoryInputs, context_tokens: int, engine_text: str | None = None
) -> int:
    """The num_ctx Ollama allocates when none is set: its default, or the context asked for
    when longer."""
    return max(ollama_default_context(inputs, engine_text).tokens, context_tokens)


def check_num_ctx(inputs: MemoryInputs, context_tokens: int, num_ctx: int | None) -> None:
    """Refuse a context allocation (--num-ctx: Ollama's num_ctx / OLLAMA_CONTEXT_LENGTH,
    llama.cpp's -c) on an engine without one, below 1 or the run's own context, or above the
    model's trained context, naming the limit."""
    if num_ctx is None:
        return
    problems = []
    if inputs.engine.engine not in OFFLOAD_ENGINE_NAMES:
        problems.append(f"--num-ctx is an Ollama/llama.cpp option; {inputs.engine.id} has none")
    longest = model_max_context(inputs.model)
    if num_ctx < 1:
        problems.append(f"--num-ctx must be at least 1, got {num_ctx:,}")
    elif num_ctx > longest:
        problems.append(
            f"--num-ctx {num_ctx:,} is longer than {inputs.model.id}'s {longest:,}-token "
            f"context; use {longest} or less"
        )
    elif num_ctx < context_tokens:
        problems.append(
            f"--num-ctx {num_ctx:,} is shorter than the prompt plus output ({context_tokens:,} "
            f"tokens); use at least {context_tokens} or a shorter --input/--output"
        )
    if problems:
        raise InvalidRequestError(problems)


_AUTOMATIC_SPLITS: IdentityMemo[tuple[object, ...], OffloadSpeed | None] = IdentityMemo(50_000)


def automatic_offload(
    inputs: MemoryInputs,
    context_tokens: int,
    host_bandwidth_gb_s: float | None = None,
    engine_text: str | None = None,
    num_ctx: int | None = None,
) -> OffloadSpeed | None:
    """The split the engine makes by itself when the model does not fit (None when not one
    layer fits the GPU). `engine_text` ('Ollama 0.12') sets Ollama's default num_ctx;
    `num_ctx` (OLLAMA_CONTEXT_LENGTH, llama.cpp -c) the context allocated instead.
    Remembered per inputs and arguments (a batch file asks the same split for many rows):
    the catalog objects are immutable and the entry keeps them alive, so their ids stay theirs."""
    key = (
        id(inputs.system),
        id(inputs.model),
        id(inputs.weight_format),
        id(inputs.engine),
        inputs.kv_bytes_per_element,
        inputs.kv_cache_id,
        context_tokens,
        host_bandwidth_gb_s,
        engine_text,
        num_ctx,
    )
    return _AUTOMATIC_SPLITS.answer(
        key,
        inputs.catalog_objects,
        lambda: _automatic_offload(
            inputs, context_tokens, host_bandwidth_gb_s, engine_text, num_ctx
        ),
    )


def clear_split_cache() -> None:
    _AUTOMATIC_SPLITS.clear()


def _automatic_offload(
    inputs: MemoryInputs,
    context_tokens: int,
    host_bandwidth_gb_s: float | None,
    engine_text: str | None,
    num_ctx: int | None,
) -> OffloadSpeed | None:
    layers = inputs.model.num_layers
    if is_ollama(inputs):
        allocated = allocated_context(inputs, context_tokens, engine_text, num_ctx)
        on_gpu, output = ollama_gpu_layers(inputs, allocated)
        rule = f"Ollama's layer estimate at num_ctx {allocated:,}" + _shorter_context_advice(
            inputs, context_tokens, allocated, num_ctx is not None
        )
    else:
        context_tokens = context_tokens if num_ctx is None else num_ctx
        if inputs.model.is_moe and (moved := fewest_expert_layers_on_cpu(inputs, context_tokens)):
            rule = f"llama.cpp --fit: the experts of {moved} layers on the CPU, --n-cpu-moe {moved}"
            split = experts_split(inputs, moved)
            return _speed(inputs, split, layers, True, rule, host_bandwidth_gb_s, experts=True)
        most = most_layers_that_fit(inputs, context_tokens)
        on_gpu, output = min(most, layers), most > layers
        rule = "the most layers that fit: --gpu-layers " + str(min(most, layers))
    if on_gpu < 1:
        return None
    return offload_at(inputs, on_gpu, output, rule, host_bandwidth_gb_s)


def _shorter_context_advice(
    inputs: MemoryInputs, context_tokens: int, num_ctx: int, given: bool = False
) -> str:
    """When Ollama's num_ctx (its default, or as `given`), not the run's own context, splits
    the model: the longest OLLAMA_CONTEXT_LENGTH (whole KiB tokens; --num-ctx here) that keeps
    every layer on the GPU."""
    needed = max(context_tokens, 1)
    if num_ctx <= needed or max_sequences(inputs, inputs.system.gpu_count, needed) < 1:
        return ""
    longest = max_context_one_sequence(inputs, inputs.system.gpu_count) // 1024 * 1024
    if longest < needed:
        return ""
    whose = "as given" if given else "its default here"
    return (
        f", {whose}; OLLAMA_CONTEXT_LENGTH={longest} or less keeps every layer on the GPU "
        f"(--num-ctx {longest})"
    )


def offloads(inputs: MemoryInputs) -> bool:
    """Whether the engine splits layers between a discrete GPU and the CPU (`splits_layers`)."""
    return splits_layers(inputs.engine, inputs.system.gpu)


def splits_by_itself(inputs: MemoryInputs) -> bool:
    """Whether the engine places layers on the CPU by itself when the model does not fit:
    Ollama always; llama.cpp from `--fit on` (ggml-org/llama.cpp PR #16653, merged 2025-12,
    on by default in llama-server and llama-cli), i.e. its newest generation profile. The older
    generation profiles model llama-bench builds, which run what -ngl says (99: every layer)."""
    engine = inputs.engine
    if engine.engine == "ollama":
        return True
    return not engine.before_version and not engine.before_month


def offload_for(
    inputs: MemoryInputs,
    batch: int,
    context_tokens: int,
    gpu_layers: int | None = None,
    host_bandwidth_gb_s: float | None = None,
    experts_on_cpu: bool = False,
    engine_text: str | None = None,
    num_ctx: int | None = None,
) -> OffloadSpeed | None:
    """The split a run uses, or None when it runs on the GPU alone: the MoE experts in host
    memory (--cpu-moe), `gpu_layers` as given (more than the model's layers: all of them and
    the output layer), else the engine's own split when one sequence does not fit
    (llama.cpp/Ollama only; sized at `num_ctx` when given, else Ollama's default num_ctx for
    the version in `engine_text`, the newest release's when unstated)."""
    check_num_ctx(inputs, context_tokens, num_ctx)
    found = _split_for(
        inputs,
        batch,
        context_tokens,
        gpu_layers,
        host_bandwidth_gb_s,
        experts_on_cpu,
        engine_text,
        num_ctx,
    )
    if found is not None:
        allocated = allocated_context(inputs, context_tokens, engine_text, num_ctx)
        require_split_host_room(inputs, found, allocated)
    return found


def _split_for(
    inputs: MemoryInputs,
    batch: int,
    context_tokens: int,
    gpu_layers: int | None,
    host_bandwidth_gb_s: float | None,
    experts_on_cpu: bool,
    engine_text: str | None,
    num_ctx: int | None,
) -> OffloadSpeed | None:
    if experts_on_cpu:
        return _experts_on_cpu(inputs, host_bandwidth_gb_s)
    if gpu_layers is not None:
        if not offloads(inputs):
            raise InvalidRequestError(
                [f"--gpu-layers is a llama.cpp/Ollama option; {inputs.engine.id} has none"]
            )
        if gpu_layers > inputs.model.num_layers:
            return None
        rule = f"--gpu-layers {gpu_layers} as given"
        return offload_at(inputs, gpu_layers, False, rule, host_bandwidth_gb_s)
    if batch != 1 or not offloads(inputs) or not splits_by_itself(inputs):
        return None
    allocated = allocated_context(inputs, context_tokens, engine_text, num_ctx)
    if max_sequences(inputs, inputs.system.gpu_count, allocated) >= 1:
        return None
    return automatic_offload(inputs, context_tokens, host_bandwidth_gb_s, engine_text, num_ctx)


def split_host_need(inputs: MemoryInputs, offload: OffloadSpeed, kv_tokens: int) -> HostNeed:
    """What the split keeps in host memory: its weights, and the KV cache of the layers the
    CPU runs at the context allocated (none when only the MoE experts are there)."""
    layers = offload.total_layers
    cpu_share = 0.0 if offload.experts_on_cpu else (layers - offload.gpu_layers) / layers
    kv_gb = float(kv_per_sequence_gb(inputs, 1, max(kv_tokens, 1))) * cpu_share
    return HostNeed(offload.cpu_weights_gb, kv_gb)


def require_split_host_room(inputs: MemoryInputs, offload: OffloadSpeed, kv_tokens: int) -> None:
    """Refuse a split whose CPU side (weights, KV of the CPU's layers, the OS) does not fit
    the machine's RAM (host_memory: as given, the catalog's, or the assumption for the GPU)."""
    what = (
        f"{inputs.model.id} ({inputs.weight_format.id}, {inputs.engine.id}) split between "
        f"{inputs.system.id} and the CPU ({offload.rule})"
    )
    require_host_room(inputs.system, split_host_need(inputs, offload, kv_tokens), what)


def allocated_context(
    inputs: MemoryInputs,
    context_tokens: int,
    engine_text: str | None = None,
    num_ctx: int | None = None,
) -> int:
    """The context the engine holds KV for when it runs one sequence: `num_ctx` when given
    (OLLAMA_CONTEXT_LENGTH, llama.cpp -c); else Ollama its num_ctx whatever the prompt (its
    default for the version and GPU memory, or the context asked for when longer: 32,768
    tokens on a 24 GiB card from 0.15.5), other engines what the run needs."""
    if num_ctx is not None:
        return num_ctx
    tokens = max(context_tokens, 1)
    return default_num_ctx(inputs, tokens, engine_text) if is_ollama(inputs) else tokens


def _experts_on_cpu(inputs: MemoryInputs, host_bandwidth_gb_s: float | None) -> OffloadSpeed:
    problems = []
    if not offloads(inputs):
        problems.append(f"--cpu-moe is a llama.cpp/Ollama option; {inputs.engine.id} has none")
    if not inputs.model.is_moe:
        problems.append(f"--cpu-moe needs a mixture-of-experts model; {inputs.model.id} is dense")
    if problems:
        raise InvalidRequestError(problems)
    layers = inputs.model.num_layers
    split = experts_split(inputs, layers)
    return _speed(inputs, split, layers, True, "--cpu-moe", host_bandwidth_gb_s, experts=True)


def offload_at(
    inputs: MemoryInputs,
    gpu_layers: int,
    output_on_gpu: bool,
    rule: str,
    host_bandwidth_gb_s: float | None = None,
) -> OffloadSpeed:
    """The split with `gpu_layers` repeating layers (and the output layer if said) on the GPU."""
    layers = inputs.model.num_layers
    requested = layers + 1 if output_on_gpu and gpu_layers >= layers else gpu_layers
    split = split_for(inputs, requested)
    on_gpu = min(gpu_layers, layers)
    return _speed(inputs, split, on_gpu, requested > layers, rule, host_bandwidth_gb_s)


def _speed(
    inputs: MemoryInputs,
    split: Split,
    gpu_layers: int,
    output_on_gpu: bool,
    rule: str,
    host_bandwidth_gb_s: float | None,
    experts: bool = False,
) -> OffloadSpeed:
    given = host_bandwidth_gb_s is not None
    cpu_share = 0.0 if experts else 1.0 - gpu_layers / inputs.model.num_layers
    full_gb, window_gb, window = _cpu_kv_per_token(inputs, cpu_share)
    return OffloadSpeed(
        gpu_layers=gpu_layers,
        total_layers=inputs.model.num_layers,
        output_on_gpu=output_on_gpu,
        rule=rule,
        cpu_weights_gb=split.cpu_held / GB,
        cpu_read_gb=split.cpu_read / GB,
        read_gb=(split.cpu_read + split.gpu_read) / GB,
        host_bandwidth_gb_s=DEFAULT_HOST_BANDWIDTH_GB_S
        if host_bandwidth_gb_s is None
        else host_bandwidth_gb_s,
        host_bandwidth_source="as given" if given else f"assumed: {HOST_BANDWIDTH_SOURCE}",
        pcie_gb_s=inputs.system.gpu.pcie_per_direction_gb_s or DEFAULT_PCIE_GB_S,
        experts_on_cpu=experts,
        cpu_kv_full_gb_per_token=full_gb,
        cpu_kv_window_gb_per_token=window_gb,
        kv_window_tokens=window,
        cpu_lookup_gb=per_layer_table_bytes(inputs) / GB,
    )


def _cpu_kv_per_token(inputs: MemoryInputs, cpu_share: float) -> tuple[float, float, int]:
    """(full-attention GB, sliding-window GB) per attended position of one sequence held by
    `cpu_share` of the layers (the layers are alike, so the CPU holds that share of each kind)
    at the cache's precision, and the window (0: none)."""
    # what the CPU's layers read per position: every attending layer reads a cache, its own or
    # the earlier layer's it shares (Gemma 4 E2B/E4B), as in the all-GPU step
    full, sliding, window = attention_read_layers(inputs.model)
    per_layer_gb = kv_bytes_per_token_layer(inputs.model, inputs.kv_bytes_per_element) / GB
    return per_layer_gb * full * cpu_share, per_layer_gb * sliding * cpu_share, window


def offloaded_decode_step_s(
    all_gpu_step_s: float,
    offload: OffloadSpeed,
    sequences: float = 0.0,
    context_tokens: float = 0.0,
) -> float:
    """The all-GPU step less the share of its weight bytes now read on the CPU, plus those
    bytes and the KV cache the CPU's layers attend over (`sequences` at `context_tokens`
    cached tokens each) at the host's sustained bandwidth (theoretical x
    HOST_MEMORY_EFFICIENCY)."""
    share = offload.cpu_read_gb / offload.read_gb if offload.read_gb > 0 else 0.0
    gpu_share = max(0.0, 1.0 - share)
    host_gb_s = offload.host_bandwidth_gb_s * HOST_MEMORY_EFFICIENCY
    host_read_gb = offload.cpu_read_gb + offload.cpu_kv_read_gb(sequences, context_tokens)
    return all_gpu_step_s * gpu_share + host_read_gb / host_gb_s


def offloaded_prefill_s(
    all_gpu_prefill_s: float, prompt_tokens: int, offload: OffloadSpeed
) -> float:
    """Prompts of 32 tokens or more: the all-GPU prefill plus one copy of the host-held
    weights over PCIe per 512-token batch. Shorter ones run the CPU layers on the CPU,
    bounded here by reading their weights once."""
    if prompt_tokens < OFFLOAD_MIN_BATCH_TOKENS:
        return offloaded_decode_step_s(all_gpu_prefill_s, offload)
    batches = math.ceil(prompt_tokens / UBATCH_TOKENS)
    copied_gb = offload.cpu_weights_gb - offload.cpu_lookup_gb
    return all_gpu_prefill_s + batches * copied_gb / offload.pcie_gb_s


__all__ = [
    "OFFLOAD_ENGINE_NAMES",
    "OLLAMA_DEFAULT_NUM_CTX",
    "OffloadSpeed",
    "allocated_context",
    "check_num_ctx",
    "automatic_offload",
    "default_num_ctx",
    "offload_at",
    "offload_for",
    "offloads",
    "ollama_default_context",
    "offloaded_decode_step_s",
    "offloaded_prefill_s",
    "ollama_gpu_layers",
    "splits_by_itself",
]
