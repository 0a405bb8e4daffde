"""`predict …`: LLM latency and throughput of one batch, serving throughput, image generation,
vision, OCR and training speed. One request model and one document builder per kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from gpuatlas.app.documents import versioned
from gpuatlas.app.economics_requests import image_weights
from gpuatlas.app.engine_names import engine_fields
from gpuatlas.app.requests import (
    CHECKED_MINIMUM,
    DEPTH_HELP,
    FLASH_ATTENTION_HELP,
    KV_CACHE_HELP,
    NUM_CTX_HELP,
    TRAINING_PRECISIONS,
    ServedModelRequest,
    SystemModelRequest,
    TrainingFrameworkChoice,
    system_model_reference,
    system_on_host,
    weights_and_engine,
)
from gpuatlas.catalog.model_arch import AnyModelArch, ModelArch, VisionLanguageArch
from gpuatlas.catalog.model_weights import llm_of
from gpuatlas.catalog.request_lengths import RunLengths, lengths_problems
from gpuatlas.catalog.systems import GpuSystem, resolve_system
from gpuatlas.economics.unit_costs import TRAINING_SETUPS
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.numbers import format_gib, format_number
from gpuatlas.performance import api
from gpuatlas.performance.apple_builds import require_mac_build
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.engine_profiles import engine_for_model
from gpuatlas.performance.engine_specs import (
    dtype_notes,
    engine_notes,
    resolve_engine_on,
    target_notes,
    unmeasured_engine_notes,
    unmeasured_precision_notes,
)
from gpuatlas.performance.expert_kernel_notes import fallback_expert_notes
from gpuatlas.performance.kv_cache_choice import resolved_kv_cache
from gpuatlas.performance.llm.attention_setting import AttentionPath
from gpuatlas.performance.llm.memory import (
    MIN_FREE_SHARE,
    check_checkpoint_context,
)
from gpuatlas.performance.llm.predict import early_stop, with_early_stop
from gpuatlas.performance.llm.serving_layout import group_system
from gpuatlas.performance.llm.shape import llm_shape
from gpuatlas.performance.media.variant_words import variant_problems
from gpuatlas.performance.media.vision import DEFAULT_IMAGE_PX
from gpuatlas.performance.peak_rates import precision_class
from gpuatlas.performance.predictions import DiffusionPrediction, TrainingPrediction
from gpuatlas.performance.resolve import as_format, as_system, kv_cache_id
from gpuatlas.performance.training.speed import (
    auto_training_precision,
    training_sequence_problem,
)

SCHEMA_ANSWER = "predict-llm"


class PredictLlmRequest(ServedModelRequest):
    """One batch on one system (the defaults of `gpuatlas predict llm` and /plan/predict)."""

    batch: int = Field(1, ge=1, le=4096, description="Concurrent sequences.")
    input_tokens: int = Field(512, ge=1, le=1_000_000, description="Prompt tokens.")
    output_tokens: int = Field(256, ge=1, le=1_000_000, description="Generated tokens.")
    kv_cache: str = Field("fp16", min_length=1, max_length=20, description=KV_CACHE_HELP)
    gpu_layers: int | None = Field(
        None,
        ge=0,
        le=10_000,
        description="llama.cpp/Ollama: repeating layers on the GPU (-ngl); none: as many as "
        "the engine places by itself when the model does not fit.",
    )
    host_bandwidth_gbs: float | None = Field(
        None,
        gt=0,
        le=100_000,
        description="Host memory bandwidth (GB/s) for layers left on the CPU; none: "
        "dual-channel DDR5-5600 (89.6).",
    )
    cpu_moe: bool = Field(
        False, description="llama.cpp/Ollama: the MoE experts in host memory (--cpu-moe)."
    )
    num_ctx: int | None = Field(
        None,
        ge=1,
        le=100_000_000,
        description=NUM_CTX_HELP,
    )
    flash_attention: Literal["auto", "on", "off"] = Field("auto", description=FLASH_ATTENTION_HELP)
    depth: int = Field(0, ge=0, le=10_000_000, description=DEPTH_HELP)


def predict_llm_document(
    request: PredictLlmRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.predict-llm/1``: the request, the weights assumed and every predicted number
    as {value, low, high, unit, model, calibration_version, extrapolated, notes}."""
    reference = system_model_reference(request.system, request.model, local_files)
    _check_context(reference, request.depth + request.input_tokens + request.output_tokens)
    mac = (as_system(request.system), reference, [request.weights], request.engine)
    require_mac_build(*mac, "predict llm")  # a server build on a Mac: its GGUF / MLX builds
    choice, engine = weights_and_engine(request.weights, reference, request.engine, request.system)
    kv_cache = _kv_cache(request.kv_cache, engine, choice.format_id, request.system)
    prediction = api.predict_llm(
        system_on_host(request.system, request.host_ram_gb),
        reference.model,
        choice.format_id,
        engine,
        batch=request.batch,
        input_tokens=request.input_tokens,
        output_tokens=request.output_tokens,
        kv_cache=kv_cache,
        gpu_layers=request.gpu_layers,
        host_bandwidth_gb_s=request.host_bandwidth_gbs,
        experts_on_cpu=request.cpu_moe,
        num_ctx=request.num_ctx,
        flash_attention=request.flash_attention,
        depth_tokens=request.depth,
    )
    attention = _attention_assumed(request, reference.model, choice.format_id, engine, kv_cache)
    return versioned(
        SCHEMA_ANSWER,
        {
            "request": _llm_request_used(request, reference.model, choice.format_id, engine),
            "weights_assumed": _weights_assumed(choice),
            "kv_cache_assumed": kv_cache_id(kv_cache),
            "attention_assumed": attention.to_json(),
            **_engine_note(engine, request.system, choice.format_id, reference.model),
            **_engine_named(prediction.to_json(), request.engine, request.system),
            **vision_fields(reference.model, choice.format_id, request.input_tokens),
        },
    )


def _attention_assumed(
    request: PredictLlmRequest | PredictServingRequest,
    model: AnyModelArch,
    format_id: str,
    engine: str,
    kv_cache: str,
    *,
    serving: bool = False,
    group: GpuSystem | None = None,
) -> AttentionPath:
    """The attention path the request's prediction takes and why (`api.attention_used`), on
    the system or on the GPU group one replica of its layout runs on (`group`)."""
    return api.attention_used(
        request.system if group is None else group,
        model,
        format_id,
        engine,
        kv_cache=kv_cache,
        flash_attention=request.flash_attention,
        serving=serving,
    )


def vision_fields(model: AnyModelArch, format_id: str, input_tokens: int) -> dict[str, Any]:
    """{'vision': {…}} for a vision-language model: its image tower (counted in the weights
    held), the tokens an image becomes, and that these text-prompt figures leave out image
    encoding (``predict vision`` prices it); nothing for a text model."""
    if not isinstance(model, VisionLanguageArch):
        return {}
    params = model.vision_encoder_params + model.projector_params
    held_gb = llm_shape(model.language_model, as_format(format_id)).vision_bytes / 1e9
    width, height = DEFAULT_IMAGE_PX  # the image `predict vision` prices
    tokens = model.image_tokens_for(width, height)
    rule = model.image_tokens
    per_image = (
        f"{tokens} image tokens per image (fixed, {rule.image_size_px} px)"
        if rule.fixed_tokens is not None
        else f"{tokens} image tokens per {width}×{height} image "
        f"(one per {rule.pixels_per_token_side} px square)"
    )
    note = (
        f"{model.id} is a vision-language model: the weights in memory include its image tower, "
        f"{params / 1e9:.2f}B parameters (vision encoder + projector), {format_gib(held_gb)}; "
        f"{per_image}; these figures are for a text prompt of {input_tokens:,} tokens: image "
        "encoding time is not included and no image tokens are in the prompt (`gpuatlas "
        "predict vision` predicts images per minute, encoder included)"
    )
    return {
        "vision": {
            "encoder_params": params,
            "encoder_weights_gb": round(held_gb, 3),
            "encoder_in_memory": True,
            "image_tokens_per_image": tokens,
            "image_px": [width, height],
            "image_encoding_included": False,
            "note": note,
        }
    }


def _engine_named(body: dict[str, Any], written: str, system: str) -> dict[str, Any]:
    """The prediction's fields with the engine as users name it (`engine_names`), the profile
    id under `engine_profile`."""
    profile_id = str(body.get("engine") or written)
    return {**body, **engine_fields(written, profile_id, resolve_system(system).gpu)}


def _llm_request_used(
    request: PredictLlmRequest, model: Any, format_id: str, engine: str
) -> dict[str, Any]:
    """The request as given, with the num_ctx the run allocates (the engine's default when
    none was given; null on engines without the option)."""
    used = api.num_ctx_used(
        request.system,
        model,
        format_id,
        engine,
        context_tokens=request.input_tokens + request.output_tokens,
        num_ctx=request.num_ctx,
    )
    return {**request.model_dump(), "num_ctx": used}


def _check_context(reference: Any, context_tokens: int) -> None:
    """A prompt plus output longer than the model, or than the checkpoint named ships
    (Qwen2.5-7B-Instruct: 32,768 without YaRN), is refused with the limit."""
    llm = llm_of(reference.model)
    if llm is not None:
        check_checkpoint_context(llm, reference.name, context_tokens)


def _engine_note(
    engine: str, system: str, format_id: str, model: AnyModelArch, kind: str = "decode"
) -> dict[str, str]:
    """{'engine_note': …} when the engine text needs one (a version newer than the newest
    known release, a commit, an application running another engine, a build with no kernels
    for the GPU: Ollama's ROCm build on an RX 6700 XT; MoE experts on an unmeasured fallback
    kernel: AWQ on vLLM ROCm; an engine not measured at this precision class for `kind`, on
    the profile that runs this model); else nothing."""
    gpu = resolve_system(system).gpu
    profile = resolve_engine_on(engine, gpu)
    runs_model = engine_for_model(profile, model.family)
    covered = current_calibration().covered
    measured = covered.get("decode:engine", frozenset())
    prompts = covered.get("prefill:engine", frozenset())
    notes = (
        *engine_notes(engine),
        *target_notes(profile, gpu),
        *dtype_notes(profile, gpu, format_id),
        *unmeasured_engine_notes(profile, measured, prompts),
        *unmeasured_precision_notes(
            runs_model,
            precision_class(as_format(format_id)),
            covered.get(f"{kind}:engine_precision", frozenset()),
            kind,
        ),
        *fallback_expert_notes(profile, model, format_id),
    )
    return {"engine_note": "; ".join(notes)} if notes else {}


def _kv_cache(kv_cache: str, engine: str, format_id: str, system: str) -> str:
    """The KV precision as asked; for 'auto', the one the engine (as written, version and
    all) picks for the weight format on this system's GPU."""
    return resolved_kv_cache(kv_cache, engine, format_id, resolve_system(system).gpu)


def _weights_assumed(choice: Any) -> dict[str, Any]:
    return {"format": choice.format_id, "label": choice.label, "reason": choice.reason}


class PredictServingRequest(ServedModelRequest):
    """A system serving one model at a concurrency (the defaults of `gpuatlas predict serving`)."""

    concurrency: int | Literal["max"] = Field(
        "max",
        description="Concurrent sequences on the system (at least 1), or 'max'.",
        json_schema_extra=CHECKED_MINIMUM,
    )
    input_tokens: int = Field(512, ge=1, le=1_000_000, description="Prompt tokens.")
    output_tokens: int = Field(256, ge=1, le=1_000_000, description="Generated tokens.")
    kv_cache: str = Field("fp16", min_length=1, max_length=20, description=KV_CACHE_HELP)
    layout: Literal["auto", "tensor"] = Field(
        "auto",
        description="auto: the fastest split into replicas and tensor-parallel groups; "
        "tensor: one replica over every GPU.",
    )
    requests: int | None = Field(
        None,
        ge=1,
        le=100_000_000,
        description="Prompts in a finite run (vLLM bench serve --num-prompts): they run in "
        "waves of the concurrency, the last one partly empty; none: a steady stream.",
    )
    parallel: int | None = Field(
        None,
        ge=1,
        le=4096,
        description="llama.cpp / Ollama: request slots the server runs (llama-server "
        "--parallel, OLLAMA_NUM_PARALLEL); more concurrent requests wait in its queue. "
        "None: the release's default (Ollama 0.10+: 1; llama-server since late 2025: 4).",
    )
    prompt_reuse: Literal["none", "shared-prefix", "identical"] = Field(
        "none",
        description="Whether every request sends the same prompt ('identical') or the same "
        "first shared_prefix_tokens ('shared-prefix'): an engine with a prefix cache (vLLM "
        "V1, SGLang, llama-server, Ollama) then prefills only the uncached tokens, and vLLM "
        "and SGLang hold the shared prefix's KV once. none: every prompt differs.",
    )
    shared_prefix_tokens: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="Prompt tokens every request has in common (prompt_reuse shared-prefix).",
    )
    num_ctx: int | None = Field(None, ge=1, le=100_000_000, description=NUM_CTX_HELP)
    flash_attention: Literal["auto", "on", "off"] = Field("auto", description=FLASH_ATTENTION_HELP)
    mean_output_tokens: float | None = Field(
        None,
        gt=0,
        le=1_000_000,
        description="Requests that stop at end-of-sequence before output_tokens (a client "
        "without --ignore-eos): the tokens each generates on average; output_tokens is then "
        "the cap. None: every request generates all output_tokens.",
    )

    @field_validator("concurrency")
    @classmethod
    def _at_least_one_sequence(cls, value: int | Literal["max"]) -> int | Literal["max"]:
        if value != "max" and not 1 <= value <= 100_000_000:
            raise ValueError("a whole number from 1 to 100,000,000, or 'max'")
        return value

    lengths: RunLengths = Field(
        "fixed",
        description="How long the replies of a finite run are: fixed, every request generates "
        "output_tokens; sharegpt, each replays a ShareGPT conversation and generates its own "
        "reply, spread around output_tokens as their mean (vLLM bench serve / SGLang "
        "bench_serving --dataset-name sharegpt without a fixed output length): the run lasts "
        "until its longest request ends. sharegpt needs requests.",
    )

    @field_validator("mean_output_tokens")
    @classmethod
    def _mean_within_the_cap(cls, value: float | None, info: ValidationInfo) -> float | None:
        cap = info.data.get("output_tokens")  # absent when output_tokens itself is refused
        if value is not None and cap is not None and value > cap:
            raise ValueError(f"at most the output cap ({cap}) it stops before, got {value:g}")
        return value

    @field_validator("lengths")
    @classmethod
    def _lengths_with_a_finite_run(cls, value: RunLengths, info: ValidationInfo) -> RunLengths:
        problems = lengths_problems(
            value, info.data.get("requests"), info.data.get("mean_output_tokens")
        )
        if problems:
            raise ValueError("; ".join(problems))
        return value


def predict_serving_document(
    request: PredictServingRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.predict-serving/1``: the serving throughput, per replica, and the layout."""
    reference = system_model_reference(request.system, request.model, local_files)
    _check_context(reference, request.input_tokens + request.output_tokens)
    mac = (as_system(request.system), reference, [request.weights], request.engine)
    require_mac_build(*mac, "predict serving")
    choice, engine = weights_and_engine(request.weights, reference, request.engine, request.system)
    kv_cache = _kv_cache(request.kv_cache, engine, choice.format_id, request.system)
    # requests ending at end-of-sequence: the run costed at its timed length, then the share
    # of it they generate (the same early_stop the case files and the calibration use)
    stopped = early_stop(request.output_tokens, request.mean_output_tokens, request.requests)
    result = api.serving_layout(
        system_on_host(request.system, request.host_ram_gb),
        reference.model,
        choice.format_id,
        engine,
        concurrency=request.concurrency,
        input_tokens=request.input_tokens,
        output_tokens=request.output_tokens if stopped is None else stopped.timed_tokens,
        kv_cache=kv_cache,
        layout=request.layout,
        requests=request.requests,
        parallel=request.parallel,
        prompt_reuse=request.prompt_reuse,
        shared_prefix_tokens=request.shared_prefix_tokens,
        num_ctx=request.num_ctx,
        flash_attention=request.flash_attention,
        lengths=request.lengths,
    )
    group = group_system(as_system(request.system), result.layout.tensor_parallel)
    attention = _attention_assumed(
        request, reference.model, choice.format_id, engine, kv_cache, serving=True, group=group
    )
    return versioned(
        "predict-serving",
        {
            "request": request.model_dump(),
            "weights_assumed": _weights_assumed(choice),
            "kv_cache_assumed": kv_cache_id(kv_cache),
            "attention_assumed": attention.to_json(),
            **engine_fields(request.engine, engine, resolve_system(request.system).gpu),
            **_engine_note(engine, request.system, choice.format_id, reference.model, "serving"),
            "serving_output_tok_s": with_early_stop(result.output_tok_s, stopped).to_json(),
            "per_replica_output_tok_s": with_early_stop(result.per_replica, stopped).to_json(),
            "replicas": result.layout.replicas,
            "tensor_parallel": result.layout.tensor_parallel,
            "layout": result.layout.description,
        },
    )


class PredictDiffusionRequest(SystemModelRequest):
    """Text-to-image generation (the defaults of `gpuatlas predict diffusion`)."""

    resolution: int | None = Field(
        None, ge=1, le=16_384, description="Square side in px; none: the model's default."
    )
    steps: int | None = Field(
        None, ge=1, le=10_000, description="Denoising steps; none: the model's default."
    )
    batch: int = Field(1, ge=1, le=1024, description="Images per batch.")
    cfg: bool | None = Field(None, description="Classifier-free guidance; none: the model's.")
    weights: str = Field(
        "auto",
        min_length=1,
        max_length=40,
        description="Denoiser format: auto (the one the checkpoint name carries, else bf16), "
        "bf16, fp16, fp32, fp8, nf4, int8, Q8_0…",
    )
    engine: str = Field(
        "diffusers",
        min_length=1,
        max_length=120,
        description="diffusers, comfyui, a1111, forge, sd.next, tensorrt, stable-fast, coreml.",
    )
    variant: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description=(
            "'+'-joined: torch.compile, cuda-graphs, vanilla-attention, tf32, fp8-matmul, "
            "denoise-loop; ulysses-N, ring-N, cfg-parallel (one image split over GPUs, xDiT)."
        ),
    )

    @field_validator("variant")
    @classmethod
    def _known_variant_words(cls, value: str | None) -> str | None:
        problems = variant_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value


def predict_diffusion_document(
    request: PredictDiffusionRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.predict-diffusion/1``: seconds per image, images per minute, memory and the
    CPU offload it needs; with an offload, ``without_offload`` names the first smaller denoiser
    format (fp8, nf4) that needs none, and its speed."""
    model = system_model_reference(request.system, request.model, local_files).model

    def predict(weights: str) -> Any:
        return api.predict_diffusion(
            request.system,
            model,
            resolution=request.resolution,
            steps=request.steps,
            batch=request.batch,
            cfg=request.cfg,
            weights=weights,
            engine=request.engine,
            variant=request.variant,
        )

    weights = image_weights(request.weights, request.model)
    result = predict(weights)
    body = {"request": request.model_dump(), **result.to_json()}
    if result.needs_cpu_offload:
        body["without_offload"] = _without_offload(predict, weights)
    return versioned("predict-diffusion", body)


SMALLER_DENOISER_FORMATS = ("fp8", "nf4")  # the formats people load a big denoiser in


def _without_offload(predict: Any, weights: str) -> str:
    """'fp8 needs no CPU offload: 23.3 s/image [17 – 31.9] (-w fp8)', or why none helps."""
    found = format_without_offload(predict, weights)
    if found is None:
        return "neither fp8 nor nf4 avoids the CPU offload"
    format_id, smaller = found
    time = smaller.s_per_image
    return (
        f"{format_id} needs no CPU offload: {format_number(time.value, time.unit)} "
        f"[{format_number(time.low)} – {format_number(time.high)}] (-w {format_id})"
    )


def format_without_offload(
    predict: Callable[[str], DiffusionPrediction], weights: str
) -> tuple[str, DiffusionPrediction] | None:
    """The first of the formats people load a big denoiser in (other than `weights`) whose
    prediction needs no CPU offload, with that prediction; None when neither avoids it."""
    for format_id in SMALLER_DENOISER_FORMATS:
        if format_id == weights:
            continue
        try:
            smaller = predict(format_id)
        except GpuAtlasError:
            continue
        if not smaller.needs_cpu_offload:
            return format_id, smaller
    return None


VISION_WEIGHTS, VISION_ENGINE = "bf16", "vllm"  # what `predict vision` predicts, stated


class PredictVisionRequest(SystemModelRequest):
    """A vision-language model describing images (the defaults of `gpuatlas predict vision`)."""

    batch: int = Field(8, ge=1, le=4096, description="Images in flight.")
    image_tokens: int | None = Field(
        None, ge=1, le=100_000, description="Tokens per image; none: the model's own."
    )
    weights: str = Field(
        VISION_WEIGHTS,
        min_length=1,
        max_length=60,
        description="Weight format of the language model (bf16, fp8, AWQ, Q4_K_M...).",
    )
    engine: str = Field(VISION_ENGINE, min_length=1, max_length=120, description="Engine.")


def predict_vision_document(
    request: PredictVisionRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.predict-vision/1``: images per minute at the batch, with the weights and the
    engine the prediction assumes (a vision-language model's checkpoint as published, on vLLM)."""
    result = api.predict_vision(
        request.system,
        system_model_reference(request.system, request.model, local_files).model,
        batch=request.batch,
        image_tokens=request.image_tokens,
        weights=request.weights,
        engine=request.engine,
    )
    return versioned(
        "predict-vision",
        {
            "request": request.model_dump(),
            "weights": request.weights,
            "engine": request.engine,
            "images_per_min": result.to_json(),
        },
    )


class PredictOcrRequest(SystemModelRequest):
    """An OCR model reading pages (the defaults of `gpuatlas predict ocr`)."""

    batch: int = Field(16, ge=1, le=4096, description="Lines in flight.")


def predict_ocr_document(
    request: PredictOcrRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.predict-ocr/1``: pages per minute at the batch."""
    result = api.predict_ocr(
        request.system,
        system_model_reference(request.system, request.model, local_files).model,
        batch=request.batch,
    )
    return versioned(
        "predict-ocr", {"request": request.model_dump(), "pages_per_min": result.to_json()}
    )


class PredictTrainRequest(TrainingFrameworkChoice, SystemModelRequest):
    """Training speed for a token budget (the defaults of `gpuatlas predict train`)."""

    tokens: float = Field(1e9, gt=0, le=1e15, description="Training budget in tokens.")
    method: str = Field("full", min_length=1, max_length=20, description="full, lora or qlora.")
    precision: str = Field(
        "auto",
        min_length=1,
        max_length=20,
        description=f"Training precision: {', '.join(TRAINING_PRECISIONS)}; auto: bf16 where "
        "the GPU has bf16 tensor cores, else fp16 (what Hugging Face Trainer and Unsloth pick).",
    )
    recompute: bool | None = Field(
        None,
        description="Activation recomputation; none: the fastest setup that fits.",
    )
    sequence_tokens: int = Field(2048, ge=1, le=2_000_000, description="Sequence length.")
    micro_batch: int | None = Field(
        None,
        ge=1,
        le=4096,
        description="Micro-batch per GPU; none: the fastest of 4 and 1 that fits.",
    )
    sharding: str = Field(
        "none", min_length=1, max_length=20, description="none, zero1, zero2, zero3, fsdp."
    )
    gradient_accumulation: int = Field(
        1,
        ge=1,
        le=4096,
        description=(
            "Micro-steps per optimizer step (effective batch = micro-batch x this x GPUs): the "
            "optimizer step and a DDP gradient all-reduce come once per this many micro-steps."
        ),
    )
    expert_parallel: int = Field(
        1,
        ge=1,
        le=1024,
        description=(
            "GPUs sharing one copy of a mixture of experts' routed experts (expert "
            "parallelism); 1: none (FSDP gathers every expert)."
        ),
    )

    @field_validator("precision")
    @classmethod
    def _training_precision(cls, value: str) -> str:
        """'BF16' is bf16; a precision no training run is predicted in ('bar', 'int4') is
        refused here, not read as 16-bit and answered with a memory verdict."""
        precision = value.strip().lower()
        if precision != "auto" and precision not in TRAINING_PRECISIONS:
            raise ValueError(f"one of {', '.join(TRAINING_PRECISIONS)}, got {value!r}")
        return precision


# (micro-batch, recomputation) tried when the request leaves them open: the fastest that fits
# runs (the setups `cost` tries for training runs)
AUTO_TRAINING_SETUPS = TRAINING_SETUPS


def training_setups(request: PredictTrainRequest) -> list[tuple[int, bool]]:
    """The (micro-batch, recomputation) setups to try, keeping whatever the request fixed."""
    fixed_batch, fixed_recompute = request.micro_batch, request.recompute
    setups = [
        (fixed_batch or batch, recompute if fixed_recompute is None else fixed_recompute)
        for batch, recompute in AUTO_TRAINING_SETUPS
    ]
    return list(dict.fromkeys(setups))


def _setup_text(micro_batch: int, recompute: bool) -> str:
    return f"micro-batch {micro_batch}, activation recomputation {'on' if recompute else 'off'}"


def _accumulation_text(request: PredictTrainRequest) -> str:
    """'; gradient accumulation 4 (one optimizer step per 4 micro-steps)', or '' for none."""
    steps = request.gradient_accumulation
    if steps == 1:
        return ""
    return f"; gradient accumulation {steps} (one optimizer step per {steps} micro-steps)"


def _budget_text(request: PredictTrainRequest) -> str:
    """What "time for budget" is the time for: '2,048-token sequences, a budget of
    1,000,000,000 tokens (--tokens)'."""
    return (
        f"{request.sequence_tokens:,}-token sequences, a budget of {request.tokens:,.0f} tokens "
        "(--tokens)"
    )


def training_precision(request: PredictTrainRequest) -> str:
    """The precision a request trains in: as asked, or for 'auto' bf16 where the GPU has bf16
    tensor cores, else fp16 (a T4 or V100: bf16 there runs its GEMMs in fp32, 7x slower for
    QLoRA on a T4, and Hugging Face Trainer's and Unsloth's `is_bfloat16_supported()` pick
    fp16 there)."""
    if request.precision != "auto":
        return request.precision
    return auto_training_precision(as_system(request.system).gpu)


def _precision_text(request: PredictTrainRequest) -> str:
    """'; fp16 (auto: ...)' where 'auto' chose fp16, '' otherwise."""
    if request.precision != "auto" or training_precision(request) == "bf16":
        return ""
    gpu = as_system(request.system).gpu
    return (
        f"; fp16 mixed precision (auto: {gpu.name} has no bf16 tensor cores, so Hugging Face "
        "Trainer and Unsloth train in fp16 there; --precision bf16 prices bf16 in fp32 math)"
    )


def _train_kwargs(request: PredictTrainRequest) -> dict[str, Any]:
    return {
        "sequence_tokens": request.sequence_tokens,
        "sharding": request.sharding,
        "precision": training_precision(request),
        "framework": request.framework,
        "expert_parallel": request.expert_parallel,
    }


def predict_train_document(
    request: PredictTrainRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.predict-train/2``: step time, tokens/s, time for the budget, all-reduce,
    scaling efficiency and memory per GPU; ``setup`` says which micro-batch and recomputation
    were assumed: of AUTO_TRAINING_SETUPS (as far as the request left them open) the fastest
    whose memory fits (micro-batch 4 with recomputation was taken before micro-batch 1 without
    it, 45 % slower for QLoRA on 2x RTX 4090); a setup that does not fit gets no time, and when
    none fits the error names what would."""
    model = system_model_reference(request.system, request.model, local_files).model
    _require_sequence_within_context(model, request.sequence_tokens)
    setups = training_setups(request)
    skipped: list[str] = []
    fitting: list[tuple[int, bool]] = []
    memory = None
    for micro_batch, recompute in setups:
        memory = api.training_memory(
            request.system,
            model,
            request.method,
            micro_batch=micro_batch,
            checkpointing=recompute,
            **_train_kwargs(request),
        )
        if memory.fits:
            fitting.append((micro_batch, recompute))
        else:
            skipped.append(
                f"{_setup_text(micro_batch, recompute)} needs {format_gib(memory.total_gb)} per GPU"
            )
    tried = fitting or setups[-1:]  # none fits: the last one's prediction names what would
    predictions = [_training_prediction(request, model, *setup) for setup in tried]
    best = max(range(len(tried)), key=lambda i: predictions[i].tok_s.value)
    (micro_batch, recompute), result = tried[best], predictions[best]
    setup = _setup_text(micro_batch, recompute) + _accumulation_text(request)
    if memory is not None and (skipped or best > 0):
        usable = format_gib(memory.gpu_memory_gb * (1.0 - MIN_FREE_SHARE))
        others = [
            f"{_setup_text(*each)} {format_number(prediction.tok_s.value)} tok/s"
            for each, prediction in zip(tried, predictions, strict=True)
            if each != tried[best]
        ]
        which = "fastest setup" if len(fitting) > 1 else "only setup"
        setup += (
            f" (the {which} that fits in {usable} per GPU (the "
            f"{format_gib(memory.gpu_memory_gb)} less the {MIN_FREE_SHARE:.0%} kept free): "
            + "; ".join(skipped + others)
            + ")"
        )
    setup += _precision_text(request) + "; " + _budget_text(request)
    return versioned(
        "predict-train",
        {
            "request": request.model_dump(),
            "setup": setup,
            "micro_batch": micro_batch,
            **result.to_json(),
        },
    )


def _require_sequence_within_context(model: Any, sequence_tokens: int) -> None:
    """A training sequence past the model's maximum context is refused, as `fit` refuses such
    a context (gemma-2-9b at --sequence 16384 was answered: 38,556 tok/s)."""
    problem = (
        training_sequence_problem(model, sequence_tokens) if isinstance(model, ModelArch) else None
    )
    if problem:
        raise InvalidRequestError([problem])


def _training_prediction(
    request: PredictTrainRequest, model: Any, micro_batch: int, recompute: bool
) -> TrainingPrediction:
    return api.predict_training(
        request.system,
        model,
        tokens=request.tokens,
        method=request.method,
        recompute=recompute,
        micro_batch=micro_batch,
        gradient_accumulation=request.gradient_accumulation,
        **_train_kwargs(request),
    )
