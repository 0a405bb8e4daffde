"""The answer to "what fits": one detailed memory fit plus a row per weight format.

`answer_fit` takes a system, a resolved model name and the `--weights` values. No value means
the checkpoint's native format in detail and a row for every format the engine loads; `auto`
is the native format (see `catalog.model_weights`); several values give several rows. Each row
states the weights in GB, the longest context one sequence can have, and how many sequences
of the requested context fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.model_arch_llm import ModelArch
from gpuatlas.catalog.model_names import ModelReference
from gpuatlas.catalog.model_weights import (
    WeightsChoice,
    choose_engine,
    choose_weights,
    format_exists_for,
    format_label,
    llm_of,
    native_weights,
    runs_llama_cpp,
    runs_ollama,
)
from gpuatlas.catalog.shipped_context import shipped_context_for, shipped_context_note
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.engine_profiles import EngineProfile
from gpuatlas.performance.engine_specs import (
    bf16_in_fp32_math,
    dtype_notes,
    engine_compute_precision,
    engine_notes,
    formats_on,
    gguf_runner_text,
    require_format_on,
    resolve_engine_on,
)
from gpuatlas.performance.llm.memory import (
    GB,
    MemoryInputs,
    check_checkpoint_context,
    fit_usable_gb,
    gib_text,
    gpu_weight_bytes,
    image_encoder_profile,
    inference_memory_fit,
    margin_text,
    max_context_one_sequence,
    max_sequences,
    memory_source,
    min_gpus,
    model_max_context,
    per_layer_table_bytes,
    table_in_host_memory,
)
from gpuatlas.performance.llm.offload import DEFAULT_HOST_BANDWIDTH_GB_S, OffloadPlan, plan_offload
from gpuatlas.performance.llm.offload_speed import (
    default_num_ctx,
    is_ollama,
    ollama_default_context,
    ollama_gpu_layers,
    total_gpu_memory_gib,
)
from gpuatlas.performance.llm.shape import llm_shape
from gpuatlas.performance.platform_engines import auto_engine
from gpuatlas.performance.predictions import MemoryFit
from gpuatlas.performance.resolve import (
    as_format,
    as_system,
    kv_bytes_per_element,
    kv_cache_id,
)

# The context `fit` answers for when none is given and the engine has no default of its own
# (vLLM, SGLang, TensorRT-LLM size their KV cache by memory, not by a context setting).
DEFAULT_CONTEXT_TOKENS = 4096


@dataclass(frozen=True)
class FormatRow:
    """One weight format on the system: weights (GB, whole model), the longest context of one
    sequence, sequences at the requested context, and the GPUs needed."""

    format_id: str
    label: str
    native: bool
    weights_gb: float
    max_context_tokens: int
    max_sequences: int
    fits: bool
    gpus_needed: int | None
    compute_precision: str = ""  # what the matmuls run in on this GPU (fp8 weights on Ampere: fp16)


@dataclass(frozen=True)
class FitAnswer:
    """The detailed fit of the first format, a row per format, and what the answer assumed."""

    detail: MemoryFit
    weights: WeightsChoice
    native: WeightsChoice
    engine: str
    rows: tuple[FormatRow, ...]
    memory_source: str
    margin: str
    model_max_context: int
    offload: OffloadPlan | None = None
    engine_notes: tuple[str, ...] = ()  # what the engine text needs said (a newer version...)
    context_notes: tuple[str, ...] = ()  # the checkpoint's own context, where it differs
    vision_note: str = ""  # the image tower counted in the weights, with its source

    def to_json(self) -> dict[str, object]:
        return {
            "offload": None if self.offload is None else self.offload.__dict__,
            "weights_assumed": {
                "format": self.weights.format_id,
                "label": self.weights.label,
                "reason": self.weights.reason,
            },
            "native_weights": {
                "format": self.native.format_id,
                "label": self.native.label,
                "reason": self.native.reason,
            },
            "formats": [row.__dict__ for row in self.rows],
            "memory_source": self.memory_source,
            "margin": self.margin,
            "model_max_context_tokens": self.model_max_context,
            "engine_notes": list(self.engine_notes),
            "context_notes": list(self.context_notes),
            "vision_note": self.vision_note,
        }


MEDIA_ANSWERS = {  # where the memory or speed of a model that is not an LLM is answered
    "diffusion": ("predict diffusion", "its memory and the CPU offload it needs"),
    "ocr": ("predict ocr", "its pages per minute"),
}


def not_an_llm_problem(system: GpuSystem, model_id: str, kind: str) -> str:
    """Why fit refuses a diffusion or OCR model, and the command that answers for it."""
    problem = f"model {model_id} is a {kind} model; fit answers for LLMs (and VLM backbones)"
    if kind not in MEDIA_ANSWERS:
        return problem
    command, what = MEDIA_ANSWERS[kind]
    return f"{problem}: {what}: gpuatlas {command} '{system.id}' {model_id}"


def _inputs(
    system: GpuSystem,
    reference: ModelReference,
    format_id: str,
    engine: EngineProfile,
    kv_cache: str,
) -> MemoryInputs:
    llm = llm_of(reference.model)
    if llm is None:
        raise InvalidRequestError(
            [not_an_llm_problem(system, reference.model.id, reference.model.kind)]
        )
    return MemoryInputs(
        system=system,
        model=llm,
        weight_format=as_format(format_id),
        engine=engine,
        kv_bytes_per_element=kv_bytes_per_element(kv_cache),
        kv_cache_id=kv_cache_id(kv_cache),
    )


def format_row(
    inputs: MemoryInputs, context_tokens: int, concurrency: int, native: bool
) -> FormatRow:
    count = inputs.system.gpu_count
    usable = fit_usable_gb(inputs.system, inputs.engine)
    sequences = max_sequences(inputs, count, context_tokens, usable)
    return FormatRow(
        format_id=inputs.weight_format.id,
        label=format_label(inputs.model, inputs.weight_format.id),
        native=native,
        weights_gb=gpu_weight_bytes(inputs) / GB,
        max_context_tokens=max_context_one_sequence(inputs, count),
        max_sequences=sequences,
        fits=sequences >= concurrency,
        gpus_needed=count
        if sequences >= concurrency
        else min_gpus(inputs, context_tokens, concurrency),
        compute_precision=_math_precision(inputs),
    )


def _math_precision(inputs: MemoryInputs) -> str:
    """The precision this engine's matmuls run in for these weights on this GPU: fp32 for bf16
    kept by an engine that runs it through PyTorch's fp32 cuBLAS path before Ampere."""
    gpu = inputs.system.gpu
    if bf16_in_fp32_math(inputs.engine, gpu, inputs.weight_format.id):
        return "fp32"
    return engine_compute_precision(inputs.engine, gpu, inputs.weight_format)


def _row_formats(
    weights: Sequence[str],
    native: WeightsChoice,
    reference: ModelReference,
    engine: EngineProfile,
    gpu: Gpu,
) -> list[str]:
    if not weights:
        others = [
            f
            for f in formats_on(engine, gpu)
            if f != native.format_id and format_exists_for(reference.model, f)
        ]
        return [native.format_id, *others]
    chosen: list[str] = []
    for value in weights:
        format_id = choose_weights(value, reference).format_id
        if format_id not in chosen:
            chosen.append(format_id)
    return chosen


@dataclass(frozen=True)
class OffloadRequest:
    """llama.cpp/Ollama partial offload: layers on the GPU, or MoE experts in host memory."""

    gpu_layers: int | None = None
    experts_on_cpu: bool = False
    host_bandwidth_gb_s: float = DEFAULT_HOST_BANDWIDTH_GB_S

    @property
    def wanted(self) -> bool:
        return self.gpu_layers is not None or self.experts_on_cpu


def _loads(engine: EngineProfile, format_id: str, gpu: Gpu) -> bool:
    require_format_on(engine, format_id, gpu)
    return True


def platform_default(engine: str, checkpoint_engine: str | None, system: GpuSystem) -> str:
    """`auto` with a checkpoint that names no engine: the engine people run on this GPU
    (llama.cpp on a Mac, vLLM-ROCm on Instinct; performance/data/platform_engines.toml)."""
    return auto_engine(engine, checkpoint_engine, system)


def answer_fit(
    system: GpuSystem | str,
    reference: ModelReference,
    weights: Sequence[str],
    *,
    engine: str = "auto",
    context_tokens: int | None = None,
    concurrency: int = 1,
    kv_cache: str = "fp16",
    offload: OffloadRequest | None = None,
) -> FitAnswer:
    """What fits: the first (or native) format in detail, and a row per format. Without a
    context, the engine's own default (Ollama's num_ctx for its version on this much GPU
    memory), else 4,096 tokens."""
    resolved_system = as_system(system)
    native = native_weights(reference, engine)
    first = choose_weights(weights[0], reference, engine) if weights else native
    if offload is not None and offload.wanted and engine.strip().lower() == "auto":
        engine = first.engine or "llama.cpp"  # offloading is a llama.cpp/Ollama option
    engine = platform_default(engine, first.engine, resolved_system)
    engine_text = choose_engine(engine, first)
    runner = gguf_runner_text(engine_text)  # LM Studio, ipex-llm: the llama.cpp they run
    if runs_ollama(runner) or runs_llama_cpp(runner):
        # an Ollama or llama.cpp picked by `auto` runs the GGUF build it fetches (the Ollama
        # library's tag, llama.cpp's Q4_K_M), as `predict llm` assumes on the same GPU
        native = native_weights(reference, runner)
        first = choose_weights(weights[0], reference, runner) if weights else native
    profile = resolve_engine_on(engine_text, resolved_system.gpu)
    llm = llm_of(reference.model)
    default_note = ""
    first_inputs = _inputs(resolved_system, reference, first.format_id, profile, kv_cache)
    if context_tokens is None:
        context_tokens, default_note = engine_default_context(first_inputs, engine_text)
    if llm is not None:
        check_checkpoint_context(llm, reference.name, context_tokens)
    detail = inference_memory_fit(
        first_inputs,
        context_tokens=context_tokens,
        concurrency=concurrency,
    )
    rows = tuple(
        format_row(
            _inputs(resolved_system, reference, format_id, profile, kv_cache),
            context_tokens,
            concurrency,
            native=format_id == native.format_id,
        )
        for format_id in _row_formats(weights, native, reference, profile, resolved_system.gpu)
        if _loads(profile, format_id, resolved_system.gpu)
    )
    plan = None
    if offload is not None and offload.wanted:
        plan = plan_offload(
            first_inputs,
            context_tokens=context_tokens,
            gpu_layers=offload.gpu_layers,
            experts_on_cpu=offload.experts_on_cpu,
            host_bandwidth_gb_s=offload.host_bandwidth_gb_s,
        )
        plan = _with_engine_rule(plan, first_inputs, context_tokens, engine_text)
    return FitAnswer(
        detail,
        first,
        native,
        profile.id,
        rows,
        memory_source(resolved_system),
        margin_text(resolved_system, profile),
        model_max_context(llm) if llm else 0,
        plan,
        (
            *engine_notes(engine_text),
            *dtype_notes(profile, resolved_system.gpu, first.format_id),
            *per_layer_table_notes(first_inputs),
        ),
        tuple(note for note in (default_note, *_context_notes(llm, reference.name)) if note),
        vision_note(first_inputs),
    )


def per_layer_table_notes(inputs: MemoryInputs) -> tuple[str, ...]:
    """Where a Gemma 4 E2B/E4B per-layer input table is held: in host memory for an engine
    that keeps input tensors there on a discrete GPU, else with the weights; () for other
    models."""
    shape = llm_shape(inputs.model, inputs.weight_format)
    if shape.per_layer_table_bytes <= 0:
        return ()
    weights = inputs.model.per_layer_embedding_params() / 1e9
    table = per_layer_table_bytes(inputs)
    size = f"{weights:.2f}B weights, {gib_text(table / GB)}"
    if inputs.engine.input_table_bits > 0:
        size += f" at {inputs.engine.input_table_bits:g} bits as {inputs.engine.engine} ships it"
    if table_in_host_memory(inputs):
        where = (
            f"stays in host memory with {inputs.engine.engine} (ggml keeps input tensors on "
            "the CPU; a token reads one row of it), so the GPU weights leave it out"
        )
    else:
        where = f"is held with the weights by {inputs.engine.engine}; a token reads one row of it"
    return (f"the per-layer input table ({size}) {where}",)


def vision_note(inputs: MemoryInputs) -> str:
    """What the weights hold beside the language model: a multimodal checkpoint's image tower
    (vision encoder + projector; llama.cpp/Ollama's mmproj), its size and source."""
    model = inputs.model
    if model.vision_params <= 0:
        return ""
    held = llm_shape(model, inputs.weight_format).vision_bytes
    return (
        f"the weights include the image tower: {model.vision_params / 1e9:.2f}B parameters "
        f"(vision encoder + projector; llama.cpp/Ollama's mmproj), {gib_text(held / GB, 2)} "
        f"at {held * 8 / model.vision_params:.0f} bits, loaded whether or not a request carries "
        f"an image ({model.vision_source}){encoder_profile_text(inputs)}"
    )


def encoder_profile_text(inputs: MemoryInputs) -> str:
    """The engine's start-up run of the image encoder, counted in the activations, and how a
    text-only server avoids it; '' where the engine runs none or the tower's shapes are unknown."""
    tower = inputs.model.image_encoder
    profile = image_encoder_profile(inputs, inputs.system.gpu_count)
    if tower is None or profile is None:
        return ""
    return (
        f". At start-up {inputs.engine.engine} runs the image encoder once on "
        f"{profile.images} images of {tower.image_size} px ({profile.budget_tokens:,}-token "
        f"encoder budget / {tower.llm_tokens_per_image} tokens per image), an activation peak of "
        f"{gib_text(profile.peak_gb, 2)} per GPU that the KV cache cannot use; a text-only "
        "server skips it with --limit-mm-per-prompt '{\"image\": 0}'"
    )


def engine_default_context(inputs: MemoryInputs, engine_text: str) -> tuple[int, str]:
    """The context a run gets when the user sets none, and a note saying whose default it is:
    Ollama's num_ctx (context_defaults.toml: by release and, from 0.15.5, by GPU memory), else
    the request's 4,096 tokens (no note), or the model's trained maximum where that is less
    (TinyLlama's 2,048: a default the model refuses is no default)."""
    if not is_ollama(inputs):
        maximum = model_max_context(inputs.model)
        if 0 < maximum < DEFAULT_CONTEXT_TOKENS:
            return maximum, (
                f"{maximum:,} tokens, the model's trained maximum (max_position_embeddings), "
                f"below the default {DEFAULT_CONTEXT_TOKENS:,}; --context sets another"
            )
        return DEFAULT_CONTEXT_TOKENS, ""
    found = ollama_default_context(inputs, engine_text)
    capped = (
        f", capped at the model's trained {found.model_max_tokens:,} tokens" if found.capped else ""
    )
    return found.tokens, (
        f"{found.tokens:,} tokens, Ollama's default num_ctx on {_memory_words(inputs)}{capped} "
        f"({found.source}); --context or OLLAMA_CONTEXT_LENGTH sets another"
    )


def _memory_words(inputs: MemoryInputs) -> str:
    """'24.0 GiB of GPU memory' as Ollama sums it, written as fit's memory line writes it."""
    return f"{total_gpu_memory_gib(inputs):,.1f} GiB of GPU memory"


def _with_engine_rule(
    plan: OffloadPlan, inputs: MemoryInputs, context_tokens: int, engine_text: str | None = None
) -> OffloadPlan:
    """Ollama chooses its layer count by its own estimate (`offload_speed.ollama_gpu_layers`,
    at its default num_ctx or the context asked for), not by the most that fit."""
    if plan.most_layers_that_fit is None or not is_ollama(inputs):
        return plan
    num_ctx = default_num_ctx(inputs, context_tokens, engine_text)
    on_gpu, output = ollama_gpu_layers(inputs, num_ctx)
    return replace(plan, most_layers_that_fit=on_gpu + (1 if output else 0))


def _context_notes(llm: ModelArch | None, written_name: str) -> tuple[str, ...]:
    """The checkpoint named's own context, when its config.json sets another than the entry's."""
    shipped = shipped_context_for(llm.shipped_contexts, written_name) if llm else None
    return (shipped_context_note(shipped),) if shipped else ()


__all__ = ["FitAnswer", "FormatRow", "OffloadRequest", "answer_fit", "format_row"]
