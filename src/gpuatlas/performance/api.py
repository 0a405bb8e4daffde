"""The estimation engine's public API (stable signatures; models refine behind them).

Arguments accept catalog objects or the names people write: systems ("4x rtx-4090",
"A100 80GB SXM4"), models ("meta-llama/Meta-Llama-3-8B", "qwen3-8b"), weight formats
("Q4_K_M", "FP8", "AWQ"), engines ("vLLM", "llama.cpp", "TensorRT-LLM").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from gpuatlas.catalog.request_lengths import RunLengths
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.performance.collectives import allreduce_s as _allreduce_s
from gpuatlas.performance.engine_specs import engine_text_profile
from gpuatlas.performance.llm.attention_setting import (
    AttentionPath,
    attention_as_run,
    attention_path,
    flash_attention_choice,
    with_flash_attention,
)
from gpuatlas.performance.llm.memory import (
    MemoryInputs,
    inference_memory_fit,
    kv_per_sequence_gb,
    kv_pool_gb,
)
from gpuatlas.performance.llm.offload_speed import (
    OFFLOAD_ENGINE_NAMES,
    OffloadSpeed,
    allocated_context,
    automatic_offload,
    offload_for,
    split_host_need,
)
from gpuatlas.performance.llm.predict import (
    llm_runtime,
    predict_runtime,
    runtime_max_batch,
)
from gpuatlas.performance.llm.prompt_reuse import PromptReuse
from gpuatlas.performance.llm.refusal import memory_inputs
from gpuatlas.performance.llm.server_slots import server_slots
from gpuatlas.performance.llm.serving_layout import LayoutChoice, LayoutServing, layout_serving
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.media.diffusion import check_image_engine_known, predict_diffusion_run
from gpuatlas.performance.media.vision import predict_ocr_run, predict_vision_run
from gpuatlas.performance.predictions import (
    DiffusionPrediction,
    Estimate,
    LlmPrediction,
    MemoryFit,
    TrainingMemoryFit,
    TrainingPrediction,
)
from gpuatlas.performance.resolve import (
    FormatArg,
    ModelArg,
    SystemArg,
    as_diffusion,
    as_format,
    as_llm,
    as_model,
    as_ocr,
    as_system,
    as_vlm,
    kv_bytes_per_element,
    kv_cache_id,
)
from gpuatlas.performance.training.engines import training_engine
from gpuatlas.performance.training.memory import TrainingSetup, training_memory_fit
from gpuatlas.performance.training.speed import (
    predict_training_run,
    require_training_fits,
    require_training_precision,
)

__all__ = [
    "DiffusionPrediction",
    "Estimate",
    "LlmPrediction",
    "MemoryFit",
    "TrainingMemoryFit",
    "TrainingPrediction",
    "allreduce_s",
    "decode_step_s",
    "inference_memory",
    "max_serving_batch",
    "predict_diffusion",
    "predict_llm",
    "predict_ocr",
    "predict_training",
    "predict_vision",
    "prefill_s",
    "serving_layout",
    "server_request_slots",
    "serving_throughput",
    "training_framework_name",
    "training_memory",
]


def inference_memory(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    *,
    context_tokens: int,
    concurrency: int = 1,
    kv_cache: str = "fp16",
    engine: str = "vllm",
) -> MemoryFit:
    """Per-GPU memory of serving `model` in `weights` with `concurrency` sequences."""
    inputs = MemoryInputs(
        system=as_system(system),
        model=as_llm(model),
        weight_format=as_format(weights),
        engine=engine_text_profile(engine),
        kv_bytes_per_element=kv_bytes_per_element(kv_cache),
        kv_cache_id=kv_cache_id(kv_cache),
    )
    return inference_memory_fit(inputs, context_tokens=context_tokens, concurrency=concurrency)


def training_memory(
    system: SystemArg,
    model: ModelArg,
    method: str = "full",
    *,
    sequence_tokens: int = 2048,
    micro_batch: int = 1,
    checkpointing: bool = False,
    sharding: str = "none",
    lora_rank: int = 16,
    precision: str = "bf16",
    framework: str = "pytorch",
    expert_parallel: int = 1,
) -> TrainingMemoryFit:
    """Training memory per GPU; `expert_parallel`: GPUs sharing one copy of a mixture of
    experts' routed experts (training/expert_parallel.py)."""
    setup = TrainingSetup(
        method,
        sequence_tokens,
        micro_batch,
        checkpointing,
        sharding,
        lora_rank,
        precision,
        training_engine(framework).id,
        expert_parallel=expert_parallel,
    )
    return training_memory_fit(as_system(system), as_llm(model), setup)


def predict_llm(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    batch: int,
    input_tokens: int,
    output_tokens: int,
    kv_cache: str = "fp16",
    gpu_layers: int | None = None,
    host_bandwidth_gb_s: float | None = None,
    experts_on_cpu: bool = False,
    num_ctx: int | None = None,
    flash_attention: str = "auto",
    depth_tokens: int = 0,
) -> LlmPrediction:
    """TTFT, TPOT, prefill and decode rates, MBU and MFU for one batch of requests. On
    llama.cpp/Ollama, `gpu_layers` (else the engine's own split when the model does not fit)
    keeps the other layers in host memory of `host_bandwidth_gb_s`; `experts_on_cpu`: the MoE
    experts there instead (--cpu-moe); `num_ctx` the context allocated per sequence
    (OLLAMA_CONTEXT_LENGTH, llama.cpp -c; none: the engine's default); `flash_attention`
    llama.cpp's -fa (auto: the build's default, on, off); `depth_tokens` the tokens already in
    each sequence's KV cache when the prompt arrives (llama-bench -d)."""
    runtime = with_flash_attention(
        llm_runtime(system, model, weights, engine, kv_cache), flash_attention
    )
    return predict_runtime(
        runtime,
        batch=batch,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        kv_cache=kv_cache,
        gpu_layers=gpu_layers,
        host_bandwidth_gb_s=host_bandwidth_gb_s,
        experts_on_cpu=experts_on_cpu,
        engine_text=engine,
        num_ctx=num_ctx,
        depth_tokens=depth_tokens,
    )


def attention_used(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    kv_cache: str = "fp16",
    flash_attention: str = "auto",
    serving: bool = False,
) -> AttentionPath:
    """The attention path `predict_llm` (`serving`: `serving_layout`) takes for the same
    request, and why (as set, the engine's or its server's default, or fused either way on a
    library engine)."""
    runtime = llm_runtime(system, model, weights, engine, kv_cache)
    setting = flash_attention_choice(flash_attention)
    return attention_path(
        attention_as_run(runtime, setting, engine, serving=serving), flash_attention
    )


def decode_step_s(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    batch: int,
    context_tokens: float,
    kv_cache: str = "fp16",
    server: bool = False,
) -> float:
    """Seconds of one decode step at `batch` sequences of `context_tokens` (point value);
    `server`: as the engine's server runs it (llama-server's attention default)."""
    return _step_runtime(system, model, weights, engine, kv_cache, server).decode_step_s(
        batch, context_tokens
    )


def prefill_s(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    tokens: int,
    batch: int = 1,
    kv_cache: str = "fp16",
    server: bool = False,
) -> float:
    """Seconds to prefill `batch` prompts of `tokens` tokens (point value); `server`: as the
    engine's server runs it (llama-server's attention default)."""
    runtime = _step_runtime(system, model, weights, engine, kv_cache, server)
    return runtime.prefill_s(tokens, batch)


def _step_runtime(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    kv_cache: str,
    server: bool,
) -> LlmRuntime:
    runtime = llm_runtime(system, model, weights, engine, kv_cache)
    return attention_as_run(runtime, None, engine, serving=server)


def engine_offload(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    context_tokens: int,
    kv_cache: str = "fp16",
    num_ctx: int | None = None,
) -> OffloadSpeed | None:
    """The split llama.cpp/Ollama make by themselves when one sequence of `context_tokens`
    does not fit the GPU (some layers in host memory, run by the CPU); None when it fits or
    the engine does not split (vLLM, SGLang, older llama.cpp builds). `engine` as written:
    'Ollama 0.12' sizes Ollama's split at that version's default num_ctx; `num_ctx` the
    context allocated instead (OLLAMA_CONTEXT_LENGTH, llama.cpp -c)."""
    runtime = llm_runtime(system, model, weights, engine, kv_cache)
    inputs = memory_inputs(runtime, kv_cache)
    return offload_for(inputs, 1, context_tokens, engine_text=engine, num_ctx=num_ctx)


def engine_split_host_need_gb(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    *,
    context_tokens: int,
    engine: str,
) -> float | None:
    """The host RAM (GB) llama.cpp/Ollama's own split of one sequence needs: the weights and
    (fp16) KV cache the CPU holds plus the OS's reserve, whatever RAM the machine has
    (engine_offload refuses a split it cannot hold); None when the engine makes no split."""
    inputs = memory_inputs(llm_runtime(system, model, weights, engine, "fp16"), "fp16")
    split = automatic_offload(inputs, context_tokens, engine_text=engine)
    if split is None:
        return None
    allocated = allocated_context(inputs, context_tokens, engine)
    return split_host_need(inputs, split, allocated).total_gb


def engine_context(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    context_tokens: int,
    kv_cache: str = "fp16",
    num_ctx: int | None = None,
) -> int:
    """The context the engine holds KV for per sequence: `num_ctx` when given; else Ollama
    its num_ctx (its default for the version written in `engine` and the GPU memory, or
    `context_tokens` when longer), other engines `context_tokens`."""
    runtime = llm_runtime(system, model, weights, engine, kv_cache)
    return _allocated(runtime, kv_cache, context_tokens, engine, num_ctx)


def _allocated(
    runtime: LlmRuntime, kv_cache: str, context_tokens: int, engine: str, num_ctx: int | None
) -> int:
    return allocated_context(memory_inputs(runtime, kv_cache), context_tokens, engine, num_ctx)


def num_ctx_used(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    context_tokens: int,
    kv_cache: str = "fp16",
    num_ctx: int | None = None,
) -> int | None:
    """The num_ctx (Ollama) or -c (llama.cpp) a run of `context_tokens` allocates per sequence:
    `num_ctx` when given, else the engine's default (engine_context); None on engines without
    the option (vLLM, SGLang, TensorRT-LLM)."""
    runtime = llm_runtime(system, model, weights, engine, kv_cache)
    if runtime.engine.engine not in OFFLOAD_ENGINE_NAMES:
        return None
    return _allocated(runtime, kv_cache, context_tokens, engine, num_ctx)


def server_request_slots(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    context_tokens: int,
    kv_cache: str = "fp16",
    parallel: int | None = None,
    num_ctx: int | None = None,
) -> int | None:
    """Requests a llama.cpp/Ollama server decodes at once (llm.server_slots): `parallel`
    (--parallel, OLLAMA_NUM_PARALLEL) when given, else the default of the release written in
    `engine` ('ollama 0.5.7': 4 when the model fits whole with their KV at `num_ctx` as set,
    else the release's default num_ctx; newest Ollama: 1); None for engines that run every
    request their KV cache holds (vLLM, SGLang, ...)."""
    runtime = llm_runtime(system, model, weights, engine, kv_cache)
    found = server_slots(runtime, engine, parallel, context_tokens, kv_cache, num_ctx)
    return None if found is None else found.slots


def max_serving_batch(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    context_tokens: int,
    kv_cache: str = "fp16",
) -> int:
    """Most concurrent sequences at `context_tokens` (memory, capped by the engine's max)."""
    runtime = llm_runtime(system, model, weights, engine, kv_cache)
    return runtime_max_batch(runtime, context_tokens, kv_cache)


def startup_pool_batch(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    context_tokens: int,
    kv_cache: str = "fp16",
    memory_fraction: float | None = None,
    profile_tokens: int | None = None,
) -> int:
    """Sequences of `context_tokens` the KV pool an engine sizes at start-up holds (vLLM,
    SGLang: `memory_fraction` of each GPU less the weights, the runtime overhead and the
    activation peak of one profile step of `profile_tokens`, vLLM's max_num_batched_tokens;
    None: the engine's defaults) over one sequence's KV (sliding-window layers hold their
    window), capped by the engine's max_batch; at least one sequence when one fits at all
    (vLLM refuses to start otherwise); an engine that fills the whole card (llama.cpp,
    Ollama) is sized per sequence as `max_serving_batch` does."""
    runtime = llm_runtime(system, model, weights, engine, kv_cache)
    if runtime.engine.memory_fraction >= 1.0:
        return runtime_max_batch(runtime, context_tokens, kv_cache)
    inputs = memory_inputs(runtime, kv_cache)
    profile = profile_tokens or runtime.engine.prefill_chunk_tokens
    engine_profile = replace(
        runtime.engine,
        memory_fraction=memory_fraction or runtime.engine.memory_fraction,
        prefill_chunk_tokens=profile,
    )
    sized = replace(inputs, engine=engine_profile)
    count = runtime.system.gpu_count
    per_sequence_gb = kv_per_sequence_gb(sized, count, max(context_tokens, 1))
    pooled = int(kv_pool_gb(sized, count) // per_sequence_gb)
    if pooled < 1:  # the engine started, so its pool holds one sequence (vLLM refuses less)
        pooled = min(1, runtime_max_batch(runtime, context_tokens, kv_cache))
    return min(pooled, runtime.engine.max_batch)


def serving_throughput(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    concurrency: int | Literal["max"],
    input_tokens: int,
    output_tokens: int,
    kv_cache: str = "fp16",
    layout: LayoutChoice = "auto",
) -> Estimate:
    """Output tokens/s of a server at `concurrency` (or "max": the largest batch that fits).
    A multi-GPU system serves in its best layout (replicas when the model fits one GPU,
    tensor parallel when it must, or a mix; its notes say which); layout="tensor" forces one
    tensor-parallel replica over every GPU."""
    return serving_layout(
        system,
        model,
        weights,
        engine,
        concurrency=concurrency,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        kv_cache=kv_cache,
        layout=layout,
    ).output_tok_s


def serving_layout(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    concurrency: int | Literal["max"] = "max",
    input_tokens: int,
    output_tokens: int,
    kv_cache: str = "fp16",
    layout: LayoutChoice = "auto",
    requests: int | None = None,
    parallel: int | None = None,
    prompt_reuse: PromptReuse = "none",
    shared_prefix_tokens: int | None = None,
    num_ctx: int | None = None,
    flash_attention: str = "auto",
    lengths: RunLengths = "fixed",
) -> LayoutServing:
    """The system's serving layout (replicas x tensor-parallel GPUs) with its throughput;
    `requests`: a finite run of that many prompts, run in waves of the concurrency, its
    replies all output_tokens long (`lengths` 'fixed') or spread like ShareGPT's around that
    mean ('sharegpt', llm.run_lengths);
    `parallel`: a llama.cpp/Ollama server's request slots (None: its release's default);
    `prompt_reuse`: the requests repeat a prompt ('identical') or its first
    `shared_prefix_tokens` ('shared-prefix') for the engine's prefix cache; `num_ctx`: the
    context a llama.cpp/Ollama server allocates per sequence (None: its release's default);
    `flash_attention`: llama.cpp's -fa as the server runs it (auto: the build's default, on,
    off; `attention_used` states the path)."""
    return layout_serving(
        system,
        model,
        weights,
        engine,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        kv_cache=kv_cache,
        concurrency=concurrency,
        layout=layout,
        requests=requests,
        parallel=parallel,
        prompt_reuse=prompt_reuse,
        shared_prefix_tokens=shared_prefix_tokens,
        num_ctx=num_ctx,
        flash_attention=flash_attention_choice(flash_attention),
        lengths=lengths,
    )


def predict_diffusion(
    system: SystemArg,
    model: ModelArg,
    *,
    resolution: int | None = None,
    steps: int | None = None,
    batch: int = 1,
    cfg: bool | None = None,
    weights: str = "bf16",
    engine: str = "diffusers",
    variant: str | None = None,
) -> DiffusionPrediction:
    """Seconds per image of a text-to-image pipeline. `weights`: the denoiser's format (fp16 and
    bf16 compute alike; fp32 follows PyTorch's TF32 defaults; fp8/nf4/int8/GGUF are stored
    small and dequantised); `engine`: diffusers, ComfyUI, TensorRT, stable-fast, Core ML, ...;
    `variant`: '+'-joined settings such as torch.compile, cuda-graphs, vanilla-attention, tf32,
    fp8-matmul, denoise-loop, ulysses-N / ring-N / cfg-parallel (one image split over GPUs)."""
    check_image_engine_known(engine)
    arch = as_diffusion(model)
    return predict_diffusion_run(
        as_system(system),
        arch,
        resolution_px=resolution or arch.default_resolution_px,
        steps=steps or arch.default_steps,
        batch=batch,
        cfg=cfg,
        weights=weights,
        engine=engine,
        variant=variant,
    )


def predict_vision(
    system: SystemArg,
    model: ModelArg,
    *,
    batch: int,
    image_tokens: int | None = None,
    weights: str = "bf16",
    engine: str = "vllm",
    output_tokens: int = 128,
) -> Estimate:
    """Images per minute of a vision-language model describing images at a batch."""
    return predict_vision_run(
        as_system(system),
        as_vlm(model),
        batch=batch,
        image_tokens=image_tokens,
        weights=weights,
        engine=engine,
        output_tokens=output_tokens,
    )


def predict_ocr(system: SystemArg, model: ModelArg, *, batch: int) -> Estimate:
    """Pages per minute of an OCR model (line-level encoder-decoder)."""
    return predict_ocr_run(as_system(system), as_ocr(model), batch=batch)


def predict_training(
    system: SystemArg,
    model: ModelArg,
    *,
    tokens: float,
    method: str = "full",
    precision: str = "bf16",
    recompute: bool = False,
    sequence_tokens: int = 2048,
    micro_batch: int = 4,
    sharding: str = "none",
    lora_rank: int = 16,
    framework: str = "pytorch",
    gradient_accumulation: int = 1,
    expert_parallel: int = 1,
) -> TrainingPrediction:
    """Step time, tokens/s and time for a token budget, data parallel over the system. A setup
    whose memory does not fit raises InvalidRequestError naming setups that would fit
    (checkpointing, micro-batch 1, FSDP, LoRA/QLoRA, more GPUs): no time for what cannot run.
    `framework` is the training framework as users write it ('megatron', 'NeMo 24.07',
    'torchtitan'; an unknown name lists the close matches). `gradient_accumulation`
    micro-steps share one optimizer step (and one DDP gradient all-reduce). `expert_parallel`:
    GPUs sharing one copy of a mixture of experts' routed experts, their tokens exchanged in
    all-to-alls (training/expert_parallel.py)."""
    setup = TrainingSetup(
        method,
        sequence_tokens,
        micro_batch,
        recompute,
        sharding,
        lora_rank,
        precision,
        training_engine(framework).id,
        gradient_accumulation=gradient_accumulation,
        expert_parallel=expert_parallel,
    )
    resolved_system, resolved_model = as_system(system), as_llm(model)
    require_training_precision(resolved_system.gpu, precision)
    require_training_fits(resolved_system, resolved_model, setup)
    return predict_training_run(
        resolved_system, resolved_model, setup, tokens=tokens, recompute=recompute
    )


def allreduce_s(system: SystemArg | GpuSystem, message_bytes: float) -> float:
    """Seconds for an all-reduce of `message_bytes` per GPU across the system."""
    return _allreduce_s(as_system(system), message_bytes)


def model_kind(model: ModelArg) -> str:
    return as_model(model).kind


def training_framework_name(framework: str) -> str:
    """The training framework a name as written means, by its full name ('nemo 24.07' ->
    'Megatron-Core / NeMo'); an unknown name is an UnknownNameError listing the close matches."""
    return training_engine(framework).name
