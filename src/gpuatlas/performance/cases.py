"""One prediction per case (a row of a batch file or of the measured data set).

A case names a GPU (and count: > 1 means tensor parallelism over the GPUs' own links), a model,
weights, an engine, a batch (or "max"), lengths or image settings, and a metric:
prefill_tok_s, decode_tok_s, serving_output_tok_s, image_s, images_per_min, train_tok_s,
ttft_ms or tpot_ms. `predict_case` returns an Estimate or raises a GpuAtlasError saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from gpuatlas.catalog.model_arch import DiffusionArch, ModelArch, OcrArch, VisionLanguageArch
from gpuatlas.catalog.request_lengths import RunLengths
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.kv_cache_choice import resolved_kv_cache
from gpuatlas.performance.llm.attention_setting import (
    attention_as_run,
    names_a_server,
    stated_flash_attention,
)
from gpuatlas.performance.llm.host_memory import with_host_ram
from gpuatlas.performance.llm.predict import (
    early_stop,
    llm_runtime,
    predict_runtime,
    serving_estimate,
    with_early_stop,
)
from gpuatlas.performance.llm.server_slots import server_slots
from gpuatlas.performance.llm.serving_layout import layout_serving
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.media.diffusion import (
    max_image_batch,
    predict_diffusion_run,
    variant_parts,
)
from gpuatlas.performance.media.vision import predict_ocr_run, predict_vision_run
from gpuatlas.performance.predictions import Estimate
from gpuatlas.performance.resolve import ModelArg, as_model, as_system
from gpuatlas.performance.training.engines import (
    DEFAULT_TRAINING_ENGINE,
    training_engine,
    training_engines,
)
from gpuatlas.performance.training.memory import TrainingSetup, training_memory_fit
from gpuatlas.performance.training.recompute import stated_recompute_share
from gpuatlas.performance.training.speed import auto_training_precision, predict_training_run
from gpuatlas.performance.training.variants import (
    variant_eager_attention,
    variant_expert_parallel,
    variant_fused,
    variant_master_weights,
    variant_method,
    variant_offloads_optimizer,
    variant_offloads_params,
    variant_optimizer,
    variant_optimizer_on_host,
    variant_sharding,
)

METRICS = (
    "prefill_tok_s",
    "decode_tok_s",
    "serving_output_tok_s",
    "image_s",
    "images_per_min",
    "train_tok_s",
    "ttft_ms",
    "tpot_ms",
)
LLM_METRICS = ("prefill_tok_s", "decode_tok_s", "ttft_ms", "tpot_ms")
DEPTH_NOT_SERVING = (
    "depth (tokens already in the KV cache, llama-bench -d) applies to prefill and decode "
    "rows; a serving run's prompts start empty (--prompt-reuse prices a cached prefix)"
)
IMAGE_ENGINES = ("diffusers", "pytorch", "tensorrt", "comfyui", "diffusers-compiled")


@dataclass(frozen=True)
class Case:
    gpu: str
    gpu_count: int
    model: str
    weights: str
    engine: str
    batch: int | Literal["max"] | None
    input_tokens: int | None
    output_tokens: int | None
    metric: str
    resolution: str | None = None
    steps: int | None = None
    kv_cache: str = "fp16"  # or "auto": what the engine picks for these weights
    variant: str | None = None  # e.g. 'denoise-loop', 'torch.compile' (see MeasuredRow.variant)
    layout: str = "tensor"  # serving on several GPUs: one TP replica, or "auto" (best layout)
    gpu_layers: int | None = None  # llama.cpp/Ollama: repeating layers on the GPU, as run
    host_bandwidth_gb_s: float | None = None  # the host's memory for offloaded layers
    # the engine as the run states it, version or date ('Ollama 0.12.6', 'Ollama (run of
    # 2025-09-06)'): sets what depends on the release (Ollama's default num_ctx); None = newest
    engine_text: str | None = None
    # serving: a finite run of this many prompts at `batch` in flight (waves; see
    # llm.predict.wave_batches); None = a steady state at `batch`
    requests: int | None = None
    # serving: requests that stopped at end-of-sequence generated this many tokens on average
    # (output_tokens is the cap asked for); None = each generated output_tokens
    # (llm.predict.early_stop_lengths)
    mean_output_tokens: float | None = None
    # serving: a finite run's replies all output_tokens long ('fixed') or spread like
    # ShareGPT's around that mean ('sharegpt': llm.run_lengths)
    lengths: RunLengths = "fixed"
    # llama.cpp/Ollama: the request slots the server ran (llama-server --parallel,
    # OLLAMA_NUM_PARALLEL); None = the release's default (llm.server_slots)
    server_slots: int | None = None
    # llama.cpp/Ollama: the context allocated per sequence as set (Ollama num_ctx /
    # OLLAMA_CONTEXT_LENGTH, llama.cpp -c); None = the release's default (context_defaults.toml)
    num_ctx: int | None = None
    # training: micro-steps per optimizer step as the run states it (the gradients of that many
    # micro-batches are summed before one optimizer step); None = 1, no accumulation
    gradient_accumulation: int | None = None
    # llama.cpp/Ollama: GB of RAM in the machine, the limit of a GPU/CPU split (llm.host_memory);
    # None = the system's own or the assumption for its GPU
    host_ram_gb: float | None = None
    # prefill and decode: tokens already in the KV cache when the test starts (llama-bench
    # -d, `pp512 @ d8192`); None = an empty cache
    depth: int | None = None

    @property
    def serves(self) -> bool:
        """Whether a server ran the case, whose defaults can differ: serving throughput, or a
        decode or prompt row the engine's server program measured ('llama-server b8123', or
        the variant word 'llama-server' a written row's engine leaves)."""
        by_server = names_a_server(self.engine_text) or names_a_server(self.variant)
        return self.metric == "serving_output_tok_s" or by_server

    @property
    def engine_as_run(self) -> str:
        """The engine as the run states it (version or date), else its profile id."""
        return self.engine_text or self.engine


def resolution_px(text: str | None) -> int | None:
    """'1024x768' -> the side of a square with the same pixels (887); '512' -> 512."""
    if not text:
        return None
    parts = text.lower().replace("×", "x").split("x")
    try:
        sides = [int(part) for part in parts]
    except ValueError:
        raise InvalidRequestError([f"resolution {text!r} is not WIDTHxHEIGHT"]) from None
    return round(math.sqrt(sides[0] * sides[-1]))


def case_system(case: Case) -> GpuSystem:
    """The case's system: gpu_count > 1 overrides; with 1 a system text ("4x rtx-4090")
    keeps its own count."""
    if case.gpu_count < 1:
        raise InvalidRequestError([f"gpu_count must be at least 1, got {case.gpu_count}"])
    system = as_system(case.gpu, case.gpu_count if case.gpu_count > 1 else None)
    return with_host_ram(system, case.host_ram_gb)


def _int_batch(case: Case, default: int = 1) -> int:
    if case.batch == "max":
        raise InvalidRequestError([f"batch 'max' is only for serving_output_tok_s ({case.metric})"])
    return default if case.batch is None else case.batch


def predict_case(case: Case) -> Estimate:
    if case.metric not in METRICS:
        raise InvalidRequestError([f"metric {case.metric!r} is not one of {', '.join(METRICS)}"])
    system = case_system(case)
    model = as_model(case.model)
    if isinstance(model, DiffusionArch):
        return _diffusion_case(case, system, model)
    if isinstance(model, VisionLanguageArch) and case.metric == "images_per_min":
        return predict_vision_run(
            system,
            model,
            batch=_int_batch(case),
            image_tokens=None,
            weights=case.weights,
            engine=_llm_engine(case.engine),
        )
    if isinstance(model, OcrArch):
        return predict_ocr_run(system, model, batch=_int_batch(case))
    if case.metric == "train_tok_s":
        return _training_case(case, system, model)
    return _llm_case(case, system, model)


def _llm_engine(engine: str) -> str:
    return "vllm" if engine.lower() in IMAGE_ENGINES else engine


def _lengths(case: Case) -> tuple[int, int]:
    if case.input_tokens is None and case.output_tokens is None:
        raise InvalidRequestError([f"{case.metric} needs input_tokens and/or output_tokens"])
    return case.input_tokens or 0, case.output_tokens or 0


def case_llm_runtime(case: Case, system: GpuSystem, model: ModelArg, kv_cache: str) -> LlmRuntime:
    """The LLM runtime of a case's configuration as it ran: its engine's profile, with the
    flash-attention setting its variant states (`-fa 1`, `flash-attention`), if any, else for
    serving the server's own default (llama-server's `-fa auto`). The one place the scalar
    path, the vectorised path and the calibration's terms build it."""
    runtime = llm_runtime(system, model, case.weights, case.engine, kv_cache)
    setting = stated_flash_attention(case.variant)
    return attention_as_run(runtime, setting, case.engine_as_run, serving=case.serves)


def _llm_case(case: Case, system: GpuSystem, model: object) -> Estimate:
    if case.metric in ("image_s", "images_per_min"):
        raise InvalidRequestError([f"{case.metric} needs a diffusion or vision-language model"])
    kv_cache = resolved_kv_cache(case.kv_cache, case.engine, case.weights, system.gpu)
    runtime = case_llm_runtime(case, system, model, kv_cache)  # type: ignore[arg-type]
    input_tokens, output_tokens = _lengths(case)
    if case.metric == "serving_output_tok_s":
        if case.depth:
            raise InvalidRequestError([DEPTH_NOT_SERVING])
        concurrency = "max" if case.batch in ("max", None) else case.batch
        if case.layout == "auto" and system.gpu_count > 1:
            # requests that stop early: the run at its timed length, then the share they make
            stopped = early_stop(output_tokens, case.mean_output_tokens, case.requests)
            found = layout_serving(
                system,
                model,  # type: ignore[arg-type]
                case.weights,
                case.engine,
                input_tokens=input_tokens,
                output_tokens=output_tokens if stopped is None else stopped.timed_tokens,
                kv_cache=kv_cache,
                concurrency=concurrency,
                requests=case.requests,
                engine_text=case.engine_as_run,
                parallel=case.server_slots,
                num_ctx=case.num_ctx,
                flash_attention=stated_flash_attention(case.variant),
                lengths=case.lengths,
            )
            return with_early_stop(found.output_tok_s, stopped)
        slots = server_slots(
            runtime,
            case.engine_text,
            case.server_slots,
            input_tokens + output_tokens,
            kv_cache,
            case.num_ctx,
        )
        return serving_estimate(
            runtime,
            concurrency,
            input_tokens,
            output_tokens,
            kv_cache,
            case.requests,
            slots,
            context_setting=(case.engine_text, case.num_ctx),
            mean_output_tokens=case.mean_output_tokens,
            lengths=case.lengths,
        )
    if case.metric in ("prefill_tok_s", "ttft_ms") and input_tokens < 1:
        raise InvalidRequestError([f"{case.metric} needs input_tokens >= 1"])
    prediction = predict_runtime(
        runtime,
        batch=_int_batch(case),
        input_tokens=input_tokens,
        output_tokens=max(output_tokens, 1),
        kv_cache=kv_cache,
        gpu_layers=case.gpu_layers,
        host_bandwidth_gb_s=case.host_bandwidth_gb_s,
        engine_text=case.engine_as_run,
        num_ctx=case.num_ctx,
        depth_tokens=case.depth or 0,
    )
    estimate: Estimate = getattr(prediction, case.metric)
    return estimate


def _diffusion_case(case: Case, system: GpuSystem, model: DiffusionArch) -> Estimate:
    if case.metric not in ("image_s", "images_per_min"):
        raise InvalidRequestError([f"{case.metric} does not apply to diffusion model {model.id}"])
    resolution = resolution_px(case.resolution) or model.default_resolution_px
    weights = case.weights or "bf16"
    batch = (
        max_image_batch(system, model, resolution, weights)
        if case.batch == "max"
        else _int_batch(case)
    )
    prediction = predict_diffusion_run(
        system,
        model,
        resolution_px=resolution,
        steps=case.steps or model.default_steps,
        batch=batch,
        cfg=None,
        weights=weights,
        engine=case.engine,
        variant=case.variant,
        engine_text=case.engine_text,
    )
    return prediction.s_per_image if case.metric == "image_s" else prediction.images_per_min


def _training_case(case: Case, system: GpuSystem, model: object) -> Estimate:
    if not isinstance(model, ModelArch):
        raise InvalidRequestError(["train_tok_s needs an LLM"])
    setup, recompute = training_case_setup(case, system, model)
    prediction = predict_training_run(system, model, setup, tokens=1e9, recompute=recompute)
    return prediction.tok_s


def training_case_setup(
    case: Case, system: GpuSystem, model: ModelArch
) -> tuple[TrainingSetup, bool]:
    """A training case's setup as predicted and whether it recomputes activations: as its
    variant states, else only where the memory model says it does not fit without (the
    batch mode checks the setup's fit with `training.speed.require_training_fits`)."""
    sequence = case.input_tokens or 2048
    written = (case.weights or "").lower()
    # none written: `predict train`'s auto (bf16, fp16 without bf16 tensor cores; measured rows
    # all state theirs)
    precision = written if written not in ("", "auto") else auto_training_precision(system.gpu)
    engine = training_engine(case.engine).id if case.engine else DEFAULT_TRAINING_ENGINE
    parts = variant_parts(case.variant)
    sharding = variant_sharding(
        parts, system.gpu_count, training_engines()[engine].default_sharding
    )
    stated_share = stated_recompute_share(parts, model, sequence)
    setup = TrainingSetup(
        variant_method(parts),
        sequence,
        _int_batch(case),
        stated_share is not None,
        sharding,
        precision=precision,
        engine=engine,
        recompute_share=1.0 if stated_share is None else stated_share,
        master_weights=variant_master_weights(parts),
        gradient_accumulation=case.gradient_accumulation or 1,
        optimizer=variant_optimizer(parts),
        fused=variant_fused(parts),
        offload_optimizer=variant_offloads_optimizer(parts),
        optimizer_on_host=variant_optimizer_on_host(parts),
        offload_params=variant_offloads_params(parts),
        eager_attention=variant_eager_attention(parts),
        expert_parallel=variant_expert_parallel(parts),
    )
    recompute = stated_share is not None or not training_memory_fit(system, model, setup).fits
    if recompute:
        setup = replace(setup, checkpointing=True)
    return setup, recompute
