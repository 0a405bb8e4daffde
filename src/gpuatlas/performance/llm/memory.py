"""Inference memory fit: weights, KV cache, activations and runtime overhead per GPU."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.catalog.memory_tools import memory_tool
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.shipped_context import shipped_context_for, shipped_context_problem
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.catalog.unified_memory import raise_limit_hint
from gpuatlas.errors import InvalidRequestError
from gpuatlas.memo import IdentityMemo
from gpuatlas.performance.engine_profiles import EngineProfile, require_kv_cache
from gpuatlas.performance.engine_specs import require_format_on
from gpuatlas.performance.llm.shape import (
    attended_positions,
    attention_layers,
    kv_bytes_per_token,
    kv_bytes_per_token_layer,
    kv_bytes_per_token_per_gpu,
    kv_shards,
    llm_shape,
)
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.peak_rates import memory_capacity_gb
from gpuatlas.performance.predictions import MemoryBreakdown, MemoryFit
from gpuatlas.performance.primitives import SCALAR, Primitives, Value

GB = 1e9
DRIVER_RESERVE_GB = model_constant("llm", "driver_reserve_gb")
TENSOR_PARALLEL_RESERVE_GB = model_constant("llm", "tensor_parallel_reserve_gb")
# The fabrics the reserve was measured on (vLLM 0.19 on H100 SXM, NVLink 4 through NVSwitch);
# elsewhere (A100's NVLink 3, bridges, PCIe, B200's NVLink 5) it is unmeasured and not applied.
TENSOR_PARALLEL_RESERVE_LINKS = ("nvlink-4",)
MAX_GPUS_SEARCHED = 64
LOGIT_BYTES = 8.0  # fp32 logits plus the sampler's copy, per vocabulary entry
# Linear-attention layers' short-convolution state is kept in the model dtype (bf16); their
# recurrent state in the config's mamba_ssm_dtype (float32 in Qwen3.5's configs).
RECURRENT_CONV_STATE_BYTES = 2.0


@dataclass(frozen=True)
class MemoryInputs:
    system: GpuSystem
    model: ModelArch
    weight_format: WeightFormat
    engine: EngineProfile
    kv_bytes_per_element: float
    kv_cache_id: str

    @property
    def catalog_objects(self) -> tuple[object, ...]:
        """The immutable catalog objects the inputs refer to, which a remembered answer keeps
        (answers are keyed by their ids: memo.IdentityMemo)."""
        return (self.system, self.model, self.weight_format, self.engine)


# "Fits" leaves at least this share of the card free: engines that may fill everything
# (llama.cpp, Ollama, transformers) still meet allocator fragmentation, the display and other
# processes; vLLM/SGLang/TensorRT-LLM already keep 8-10 % back (gpu_memory_utilization).
MIN_FREE_SHARE = model_constant("llm", "min_free_share")
GIB = 1024**3


def gpu_memory_gb(system: GpuSystem) -> float:
    """Memory per GPU in GB (1e9 bytes): the catalog size read as GiB (vendors' "24 GB" is
    24 GiB; nvidia-smi shows 24,564 MiB = 23.99 GiB on an RTX 4090), or on a unified-memory
    device the share the OS lets the GPU use (`Gpu.gpu_usable_memory_gb`)."""
    share = getattr(system.gpu, "gpu_usable_memory_gb", None)
    if isinstance(share, float | int) and system.gpu.memory_gb and share < system.gpu.memory_gb:
        return float(share) * GIB / GB
    return memory_capacity_gb(system.gpu)


def memory_source(system: GpuSystem) -> str:
    """Where the per-GPU memory figure comes from, for the answer's footnote."""
    gpu = system.gpu
    total_gib = gpu_memory_gb(system) * GB / GIB
    tool = memory_tool(gpu.vendor)
    if getattr(gpu, "unified_memory", False):
        reported = f"; {tool.unified_tool}" if tool and tool.unified_tool else ""
        return (
            f"{total_gib:.1f} GiB per GPU: the GPU's default share of {gpu.memory_gb:g} GiB "
            f"unified memory (catalog{reported}); {raise_limit_hint(gpu)}"
        )
    counted = f" ({tool.tool}, less a few MiB)" if tool and tool.tool else ""
    return (
        f'{total_gib:.1f} GiB per GPU: the card\'s "{gpu.memory_gb:g} GB" is binary, '
        f"as the driver counts it{counted}"
    )


def usable_gb(system: GpuSystem, engine: EngineProfile) -> float:
    """Memory per GPU the engine may fill."""
    total = gpu_memory_gb(system)
    if engine.memory_fraction >= 1.0:
        return total - DRIVER_RESERVE_GB
    return total * engine.memory_fraction


def fit_usable_gb(system: GpuSystem, engine: EngineProfile) -> float:
    """Memory per GPU a configuration may need and still be called "fits": what the engine
    fills, and never more than (1 - MIN_FREE_SHARE) of the card."""
    return min(usable_gb(system, engine), gpu_memory_gb(system) * (1.0 - MIN_FREE_SHARE))


def margin_text(system: GpuSystem, engine: EngineProfile) -> str:
    """The stated margin behind "fits" (engine reserve or the minimum free share), naming the
    engine as users do (vllm, not its ROCm profile vllm-rocm)."""
    if engine.memory_fraction < 1.0 - MIN_FREE_SHARE:
        return (
            f"{engine.engine} uses {engine.memory_fraction:.0%} of each GPU "
            f"(its memory-utilisation default); the rest stays free"
        )
    return (
        f"{engine.engine} may fill the GPU; fits only with ≥ {MIN_FREE_SHARE:.0%} "
        f"({gpu_memory_gb(system) * MIN_FREE_SHARE * GB / GIB:.1f} GiB) left free"
    )


def model_max_context(model: ModelArch) -> int:
    """The longest context the checkpoint supports (max_position_embeddings, which includes
    published RoPE scaling, e.g. Llama 3.1's 131072); 0 when the config does not say."""
    return model.max_position_embeddings


def check_context(model: ModelArch, context_tokens: int) -> None:
    """Raise InvalidRequestError when a context is longer than the model supports."""
    maximum = model_max_context(model)
    if maximum and context_tokens > maximum:
        raise InvalidRequestError(
            [
                f"context {context_tokens:,} tokens exceeds {model.id}'s maximum of {maximum:,} "
                f"tokens (max_position_embeddings); use --context {maximum} or less"
            ]
        )


def check_checkpoint_context(model: ModelArch, written_name: str, context_tokens: int) -> None:
    """`check_context`, then the limit of the checkpoint the user named where its config.json
    ships a shorter one than the model's (Qwen2.5-7B-Instruct: 32,768 without YaRN)."""
    check_context(model, context_tokens)
    shipped = shipped_context_for(model.shipped_contexts, written_name)
    problem = shipped_context_problem(shipped, context_tokens) if shipped else None
    if problem is not None:
        raise InvalidRequestError([problem])


def padded_tokens(context_tokens: Value, block_tokens: int, ops: Primitives = SCALAR) -> Value:
    """Tokens the KV cache holds for a sequence: whole pages (vLLM 16-token blocks)."""
    return ops.ceil(context_tokens / block_tokens) * block_tokens


def sliding_window_held_tokens(inputs: MemoryInputs) -> int:
    """Tokens a sliding-window layer's KV cache holds per sequence at most under this engine
    (`sliding_window_kv` in engines.toml): the window; the window plus one prefill chunk
    (vLLM's hybrid KV cache manager, llama.cpp's SWA cache); 0 when it holds the whole
    context (the engine allocates every layer in full, or this model family's layers:
    `full_window_families`) or the model has no such layers."""
    window = inputs.model.sliding_window or 0
    policy = inputs.engine.sliding_window_kv
    if inputs.model.family in inputs.engine.full_window_families:
        policy = "full"
    if not window or policy == "full":
        return 0
    return window + (inputs.engine.prefill_chunk_tokens if policy == "window+chunk" else 0)


def kv_per_sequence_gb(
    inputs: MemoryInputs, gpu_count: int, context_tokens: Value, ops: Primitives = SCALAR
) -> Value:
    """KV cache of one sequence per GPU: full-attention layers hold every (paged) token,
    sliding-window layers what the engine keeps of them (`sliding_window_held_tokens`), and
    linear-attention layers (Gated DeltaNet) their fixed-size state whatever the length,
    split over the GPUs like their heads (tensor parallel) or layers (layer split)."""
    tokens = padded_tokens(context_tokens, inputs.engine.kv_block_tokens, ops)
    full, sliding, _ = attention_layers(inputs.model)
    held = attended_positions((full, sliding, sliding_window_held_tokens(inputs)), tokens, ops)
    per_layer = kv_bytes_per_token_layer(inputs.model, inputs.kv_bytes_per_element)
    if inputs.engine.multi_gpu == "tensor":
        shards = kv_shards(inputs.model, gpu_count)
    else:  # layer split: each GPU holds its layers' cache
        shards = gpu_count
    state = inputs.model.recurrent_state_bytes(RECURRENT_CONV_STATE_BYTES) / gpu_count
    return (per_layer * held / shards + state) / GB


def activations_gb(
    inputs: MemoryInputs,
    gpu_count: int,
    context: Value,
    concurrency: int,
    ops: Primitives = SCALAR,
) -> Value:
    """Peak activations of one step: the largest prefill chunk plus the batch's logits; on an
    engine that profiles the image encoder at start-up, the larger of that and the encoder's
    profile run (`image_encoder_profile`), with the encoder's outputs kept through the step."""
    model = inputs.model
    step_tokens = ops.minimum(inputs.engine.prefill_chunk_tokens, context * concurrency)
    shard = gpu_count if inputs.engine.multi_gpu == "tensor" else 1
    per_token = model.hidden_size * 2.0 * 8 + model.intermediate_size * 2.0 * 3 / shard
    logits = concurrency * model.vocab_size * LOGIT_BYTES
    workspace = inputs.engine.activation_gb_per_1k_batch_tokens * step_tokens / 1000
    step = (step_tokens * per_token + logits) / GB + workspace
    profile = image_encoder_profile(inputs, gpu_count)
    if profile is None:
        return step
    return ops.maximum(step + profile.outputs_gb, profile.peak_gb)


# The image encoder's activations are held in the checkpoint's 16-bit dtype; the processor's
# pixel values reach it as float32 and are cast on entry (Gemma 3: pixel_values.to(dtype)).
ENCODER_ACTIVATION_BYTES = 2.0
PIXEL_INPUT_BYTES = 4.0


@dataclass(frozen=True)
class ImageEncoderProfile:
    """vLLM's start-up run of the image encoder, per GPU: how many images of the largest size,
    the peak memory of running them as one batch, and their outputs that stay cached."""

    images: int
    budget_tokens: int
    peak_gb: float
    outputs_gb: float


def image_encoder_profile(inputs: MemoryInputs, gpu_count: int) -> ImageEncoderProfile | None:
    """The start-up encoder profile of an engine that runs one (`profiles_image_encoder`) for a
    model whose tower shapes are known (`ModelArch.image_encoder`); None otherwise.

    vLLM V1 (gpu_model_runner.profile_run, multimodal/encoder_budget.py): the encoder budget is
    max(max_num_batched_tokens, one image's tokens) and it encodes budget // tokens-per-image
    images of the maximum size in one batch (the decoder-side cap, max_num_seqs x images per
    prompt, is above that for the default limits and is not modelled). The peak is inside an
    encoder layer's MLP (vLLM siglip.py): the layer's input (held by the encoder loop), the
    post-attention residual, layer_norm2's output, fc1's output and the activation's output,
    3 h + 2 i elements per patch (fc1/fc2 are tensor-parallel, so i is split over the GPUs),
    plus the float32 pixel values. The outputs (tokens-per-image vectors of the language
    model's width per image) stay in the encoder cache through the LM's profile step."""
    tower = inputs.model.image_encoder
    if tower is None or not inputs.engine.profiles_image_encoder:
        return None
    per_image = tower.llm_tokens_per_image
    budget = max(inputs.engine.prefill_chunk_tokens, per_image)
    images = max(1, budget // per_image)
    shard = gpu_count if inputs.engine.multi_gpu == "tensor" else 1
    live = 3 * tower.hidden_size + 2 * tower.intermediate_size / shard
    pixels = tower.channels * tower.patch_size**2 * PIXEL_INPUT_BYTES
    per_patch = live * ENCODER_ACTIVATION_BYTES + pixels
    patches = images * tower.patches_per_image
    outputs = images * per_image * inputs.model.hidden_size * ENCODER_ACTIVATION_BYTES
    return ImageEncoderProfile(
        images=images,
        budget_tokens=budget,
        peak_gb=patches * per_patch / GB,
        outputs_gb=outputs / GB,
    )


def per_layer_table_bytes(inputs: MemoryInputs) -> float:
    """Bytes of a per-layer input table (Gemma 3n, Gemma 4 E2B/E4B) as the engine ships it: at
    the format's embedding width, or the engine's own (engines.toml input_table_bits: Ollama's
    quantizer leaves the table 16-bit)."""
    shape = llm_shape(inputs.model, inputs.weight_format)
    bits = inputs.engine.input_table_bits
    if shape.per_layer_table_bytes <= 0 or bits <= 0:
        return shape.per_layer_table_bytes
    return inputs.model.per_layer_embedding_params() * bits / 8


def table_in_host_memory(inputs: MemoryInputs) -> bool:
    """Whether the engine keeps a per-layer input table in host memory, outside the GPU's
    (engines.toml host_input_tables; on a unified-memory device it is counted with the GPU)."""
    return inputs.engine.host_input_tables and not inputs.system.gpu.unified_memory


def gpu_weight_bytes(inputs: MemoryInputs) -> float:
    """Weight bytes the GPUs hold (all of them together): the language model and its image
    tower, less a per-layer input table that the engine keeps in host memory on a discrete
    GPU (engines.toml host_input_tables; a unified-memory device holds it in the same pool, at
    the width the engine ships it)."""
    shape = llm_shape(inputs.model, inputs.weight_format)
    without_table = shape.held_weight_bytes - shape.per_layer_table_bytes
    if table_in_host_memory(inputs):
        return without_table
    return without_table + per_layer_table_bytes(inputs)


def breakdown(
    inputs: MemoryInputs,
    gpu_count: int,
    context_tokens: Value,
    concurrency: int,
    ops: Primitives = SCALAR,
) -> MemoryBreakdown:
    """Memory per GPU (fields are arrays when `ops` is ARRAY and the context an array)."""
    return MemoryBreakdown(
        weights_gb=gpu_weight_bytes(inputs) / gpu_count / GB,
        kv_cache_gb=concurrency * kv_per_sequence_gb(inputs, gpu_count, context_tokens, ops),
        activations_gb=activations_gb(inputs, gpu_count, context_tokens, concurrency, ops),
        overhead_gb=runtime_overhead_gb(inputs, gpu_count),
    )


def runtime_overhead_gb(inputs: MemoryInputs, gpu_count: int) -> float:
    """Memory per GPU outside weights, KV and activations: the engine's CUDA context and
    allocator, plus the communication buffers of tensor parallelism on 2+ GPUs of a fabric
    where they were measured (`TENSOR_PARALLEL_RESERVE_LINKS`)."""
    link = inputs.system.link
    measured = link is not None and link.id in TENSOR_PARALLEL_RESERVE_LINKS
    shared = inputs.engine.multi_gpu == "tensor" and gpu_count > 1 and measured
    return inputs.engine.cuda_context_gb + (TENSOR_PARALLEL_RESERVE_GB if shared else 0.0)


def max_sequences(
    inputs: MemoryInputs,
    gpu_count: int,
    context_tokens: int,
    usable: float | None = None,
    shared_tokens: int = 0,
) -> int:
    """Most sequences of `context_tokens` whose KV cache fits beside weights and activations
    in `usable` GB per GPU (default: what the engine fills). `shared_tokens`: the first tokens
    every sequence has in common and the engine holds once (a cached prefix, reference-counted
    blocks): they are counted once, each sequence its own tokens and state."""
    if shared_tokens <= 0:
        return _remembered_fitting(inputs, gpu_count, context_tokens, usable)
    base = breakdown(inputs, gpu_count, context_tokens, 1)
    empty = float(kv_per_sequence_gb(inputs, gpu_count, 0))  # a linear-attention state
    shared_gb = float(kv_per_sequence_gb(inputs, gpu_count, shared_tokens)) - empty
    per_sequence = float(kv_per_sequence_gb(inputs, gpu_count, context_tokens)) - shared_gb
    logits_per_sequence = inputs.model.vocab_size * LOGIT_BYTES / GB
    free = kv_room_gb(inputs, base.total_gb - base.kv_cache_gb, usable) - shared_gb
    if free < per_sequence:
        return 0
    return max(0, int((free + logits_per_sequence) // (per_sequence + logits_per_sequence)))


_FITTING: IdentityMemo[tuple[object, ...], int] = IdentityMemo(50_000)


def _remembered_fitting(
    inputs: MemoryInputs, gpu_count: int, context_tokens: int, usable: float | None
) -> int:
    """`fitting_sequences` as an int, remembered per inputs and arguments (a batch file and
    the offload searches ask the same count many times): the catalog objects are immutable and
    the entry keeps them alive, so their ids stay theirs."""
    key = (
        id(inputs.system),
        id(inputs.model),
        id(inputs.weight_format),
        id(inputs.engine),
        inputs.kv_bytes_per_element,
        inputs.kv_cache_id,
        gpu_count,
        context_tokens,
        usable,
    )
    return _FITTING.answer(
        key,
        inputs.catalog_objects,
        lambda: int(fitting_sequences(inputs, gpu_count, context_tokens, usable)),
    )


def clear_fitting_cache() -> None:
    """Forget the remembered counts (a benchmark's repeats each compute them afresh)."""
    _FITTING.clear()


def fitting_sequences(
    inputs: MemoryInputs,
    gpu_count: int,
    context_tokens: Value,
    usable: float | None = None,
    ops: Primitives = SCALAR,
) -> Value:
    """`max_sequences` as a number, or over an array of contexts with `ops=ARRAY`."""
    base = breakdown(inputs, gpu_count, context_tokens, 1, ops)
    per_sequence = kv_per_sequence_gb(inputs, gpu_count, context_tokens, ops)
    logits_per_sequence = inputs.model.vocab_size * LOGIT_BYTES / GB
    free = kv_room_gb(inputs, base.total_gb - base.kv_cache_gb, usable)
    fitting = ops.floor_divide(free + logits_per_sequence, per_sequence + logits_per_sequence)
    return ops.where(free < per_sequence, 0, ops.maximum(0, fitting))


def kv_pool_gb(inputs: MemoryInputs, gpu_count: int, profile_tokens: int | None = None) -> float:
    """Memory per GPU an engine gives its KV cache at start-up: what it may fill
    (`usable_gb`: vLLM's gpu_memory_utilization of the total) less the weights, the runtime
    overhead and the activation peak of its profile run (one step of `profile_tokens`,
    default the engine's prefill chunk, vLLM's max_num_batched_tokens); 0 when nothing is left."""
    tokens = profile_tokens or inputs.engine.prefill_chunk_tokens
    base = breakdown(inputs, gpu_count, tokens, 1)
    left = kv_room_gb(inputs, base.total_gb - base.kv_cache_gb)
    return max(0.0, float(left))


def kv_room_gb(inputs: MemoryInputs, fixed_gb: Value, usable: float | None = None) -> Value:
    """Memory per GPU left to the KV cache beside `fixed_gb` (weights, activations, runtime
    overhead): `usable` less it when given; else as the engine sizes its pool. vLLM's
    gpu_memory_utilization and SGLang's mem_fraction_static are shares of the whole card, so
    the pool is that share less the rest (memory_fraction_of "total"); TensorRT-LLM's
    kv_cache_free_gpu_mem_fraction (KvCacheConfig.free_gpu_memory_fraction, 0.9) is a share
    of the memory still free once the engine has loaded ("free"), so the pool is that share
    of the card less the rest: 0.9 x (80 - 70.5) GB, not 0.9 x 80 - 70.5, per GPU for a
    16-bit 70B model over two 80 GB GPUs."""
    if usable is None and inputs.engine.memory_fraction_of == "free":
        return inputs.engine.memory_fraction * (gpu_memory_gb(inputs.system) - fixed_gb)
    if usable is None:
        usable = usable_gb(inputs.system, inputs.engine)
    return usable - fixed_gb


def kv_pool_tokens(inputs: MemoryInputs, gpu_count: int, profile_tokens: int | None = None) -> int:
    """Tokens the start-up KV pool holds with every layer keeping every token (the figure vLLM
    logs as "GPU KV cache size"), in whole pages of the engine's block size."""
    if inputs.engine.multi_gpu == "tensor":
        per_token = kv_bytes_per_token_per_gpu(
            inputs.model, inputs.kv_bytes_per_element, gpu_count, 0
        )
    else:  # layer split: each GPU holds its layers' cache
        per_token = kv_bytes_per_token(inputs.model, inputs.kv_bytes_per_element, 0) / gpu_count
    pages = kv_pool_gb(inputs, gpu_count, profile_tokens) * GB / per_token
    block = inputs.engine.kv_block_tokens
    return int(pages // block) * block


def _valid_gpu_counts(inputs: MemoryInputs) -> list[int]:
    """Tensor parallel needs a power of two dividing the heads; layer split takes any count."""
    if inputs.engine.multi_gpu == "layer-split":
        return list(range(1, MAX_GPUS_SEARCHED + 1))
    heads = inputs.model.num_attention_heads
    return [n for n in (1, 2, 4, 8, 16, 32, 64) if heads % n == 0]


def splits_heads_evenly(model: ModelArch, gpu_count: int) -> bool:
    """Whether a tensor-parallel group of `gpu_count` GPUs splits the model's heads evenly, as
    vLLM, SGLang and TensorRT-LLM require (vLLM's ModelConfig.verify_with_parallel_config:
    'Total number of attention heads (64) must be divisible by tensor parallel size (3)'; the
    KV heads are split, or each replicated over a whole number of GPUs)."""
    heads, kv_heads = model.num_attention_heads, model.num_kv_heads
    if gpu_count == 1 or heads <= 0 or kv_heads <= 0:
        return True
    kv_even = kv_heads % gpu_count == 0 if gpu_count <= kv_heads else gpu_count % kv_heads == 0
    return heads % gpu_count == 0 and kv_even


def require_even_head_split(engine: EngineProfile, model: ModelArch, gpu_count: int) -> None:
    """Refuse a tensor-parallel engine on a GPU count that does not split the heads evenly,
    naming the counts that do (up to 8, one node)."""
    if engine.multi_gpu != "tensor" or splits_heads_evenly(model, gpu_count):
        return
    counts = [n for n in range(1, 9) if splits_heads_evenly(model, n)]
    raise InvalidRequestError(
        [
            f"{engine.engine} splits {model.id} over GPUs by tensor parallelism, which needs its "
            f"{model.num_attention_heads} attention heads ({model.num_kv_heads} KV heads) "
            f"split evenly: {gpu_count} GPUs do not; GPU counts that do: "
            f"{', '.join(map(str, counts))} (llama.cpp splits layers over any count: "
            "--engine llama.cpp)"
        ]
    )


def min_gpus(inputs: MemoryInputs, context_tokens: int, concurrency: int) -> int | None:
    usable = fit_usable_gb(inputs.system, inputs.engine)
    for count in _valid_gpu_counts(inputs):
        if max_sequences(inputs, count, context_tokens, usable) >= concurrency:
            return count
    return None


def max_context_one_sequence(inputs: MemoryInputs, gpu_count: int) -> int:
    """The longest context one sequence can have on `gpu_count` GPUs (0: the weights alone do
    not fit), capped at the model's maximum context."""
    usable = fit_usable_gb(inputs.system, inputs.engine)
    ceiling = model_max_context(inputs.model) or 1 << 24
    if max_sequences(inputs, gpu_count, 1, usable) < 1:
        return 0
    if max_sequences(inputs, gpu_count, ceiling, usable) >= 1:
        return ceiling
    low, high = 1, ceiling  # fits at low, not at high
    while high - low > 1:
        middle = (low + high) // 2
        if max_sequences(inputs, gpu_count, middle, usable) >= 1:
            low = middle
        else:
            high = middle
    return low


def gib_text(value_gb: float, digits: int = 1) -> str:
    """A GB (1e9 bytes) figure written in GiB, labelled: '21.6 GiB'."""
    return f"{value_gb * GB / GIB:,.{digits}f} GiB"


def _reasons(fit: MemoryBreakdown, usable: float, concurrency: int, maximum: int) -> list[str]:
    reasons = [f"needs {gib_text(fit.total_gb)} per GPU of {gib_text(usable)} usable"]
    if fit.weights_gb + fit.overhead_gb > usable:
        reasons.append(f"weights alone ({gib_text(fit.weights_gb)}) exceed the usable memory")
    elif concurrency > maximum:
        reasons.append(f"KV cache for {concurrency} sequences does not fit; at most {maximum}")
    return reasons


def inference_memory_fit(
    inputs: MemoryInputs, *, context_tokens: int, concurrency: int
) -> MemoryFit:
    _validate(inputs, context_tokens, concurrency)
    count = inputs.system.gpu_count
    fit = breakdown(inputs, count, context_tokens, concurrency)
    usable = fit_usable_gb(inputs.system, inputs.engine)
    maximum = max_sequences(inputs, count, context_tokens, usable)
    fits = maximum >= concurrency
    needed = count if fits else min_gpus(inputs, context_tokens, concurrency)
    verdict = "fits" if fits else ("fits-on-more-gpus" if needed else "does-not-fit")
    reasons = _reasons(fit, usable, concurrency, maximum)
    if context_tokens > inputs.model.max_position_embeddings:
        reasons.append(
            f"context {context_tokens} exceeds the model's {inputs.model.max_position_embeddings}"
        )
    return MemoryFit(
        system_id=inputs.system.id,
        model_id=inputs.model.id,
        weights=inputs.weight_format.id,
        engine=inputs.engine.id,
        gpu_count=count,
        context_tokens=context_tokens,
        concurrency=concurrency,
        per_gpu=fit,
        usable_gb=usable,
        gpu_memory_gb=gpu_memory_gb(inputs.system),
        fits=fits,
        max_concurrent_sequences=maximum,
        min_gpus_needed=needed,
        kv_cache_bytes_per_token_per_gpu=kv_per_sequence_gb(inputs, count, context_tokens)
        * GB
        / padded_tokens(context_tokens, inputs.engine.kv_block_tokens),
        verdict=verdict,
        reasons=tuple(reasons),
    )


def _validate(inputs: MemoryInputs, context_tokens: int, concurrency: int) -> None:
    problems = []
    if context_tokens < 1:
        problems.append(f"context_tokens must be at least 1, got {context_tokens}")
    if concurrency < 1:
        problems.append(f"concurrency must be at least 1, got {concurrency}")
    if problems:
        raise InvalidRequestError(problems)
    require_format_on(inputs.engine, inputs.weight_format.id, inputs.system.gpu)
    require_kv_cache(inputs.engine, inputs.kv_cache_id)
    require_even_head_split(inputs.engine, inputs.model, inputs.system.gpu_count)
