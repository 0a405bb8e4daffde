"""`fit`: does a model fit a GPU or system, in which formats, with how much context."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from gpuatlas.app.documents import versioned
from gpuatlas.app.engine_names import engine_fields
from gpuatlas.app.requests import (
    HOST_RAM_HELP,
    KV_CACHE_HELP,
    SystemModelRequest,
    model_reference,
    names_known_together,
    split_list,
    system_model_reference,
    system_on_host,
)
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.memory_tools import memory_tool
from gpuatlas.catalog.model_weights import first_format_that_fits
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.numbers import format_gib, format_given, format_number
from gpuatlas.performance import api
from gpuatlas.performance.apple_builds import require_mac_build
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.kv_cache_choice import resolved_kv_cache
from gpuatlas.performance.llm.fit_answer import OffloadRequest, answer_fit
from gpuatlas.performance.llm.offload import DEFAULT_HOST_BANDWIDTH_GB_S, splits_layers
from gpuatlas.performance.llm.refusal import CPU_SPLIT_OPTION
from gpuatlas.performance.resolve import as_format, as_llm, as_system, kv_cache_id
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.speed import fitting_setups

if TYPE_CHECKING:
    from gpuatlas.catalog.model_names import ModelReference
    from gpuatlas.performance.llm.fit_answer import FitAnswer, FormatRow
    from gpuatlas.performance.llm.offload import OffloadPlan

SCHEMA_ANSWER = "fit"
CPU_SPLIT_ENGINES = ("llama.cpp", "ollama")  # engine ids that split layers with the CPU
ALL_LAYERS = 100_000  # --gpu-layers above any model's layer count: every layer and the head


class FitRequest(SystemModelRequest):
    """Inference memory of a model on a system (the defaults of `gpuatlas fit` and /plan/fit)."""

    names_an_llm: ClassVar[bool] = True

    weights: Annotated[list[str], BeforeValidator(split_list)] = Field(
        default_factory=list,
        max_length=20,
        description="Formats (auto, fp16, Q4_K_M, AWQ…); none: the native format in detail "
        "and every format the engine loads.",
    )
    engine: str = Field(
        "auto",
        min_length=1,
        max_length=120,
        description="Inference engine; auto: Ollama for Ollama tags, llama.cpp "
        "for GGUF, else vLLM.",
    )
    context_tokens: int | None = Field(
        None,
        ge=1,
        le=2_000_000,
        description="Tokens per sequence; none: the engine's default (Ollama's num_ctx for its "
        "version and the GPU memory), else 4,096.",
    )
    concurrency: int = Field(1, ge=1, le=100_000, description="Concurrent sequences.")
    kv_cache: str = Field("fp16", min_length=1, max_length=20, description=KV_CACHE_HELP)
    gpu_layers: int | None = Field(
        None, ge=0, le=10_000, description="llama.cpp/Ollama: layers on the GPU."
    )
    cpu_moe: bool = Field(False, description="llama.cpp/Ollama: MoE experts in host memory.")
    host_bandwidth_gbs: float = Field(
        DEFAULT_HOST_BANDWIDTH_GB_S,
        gt=0,
        le=100_000,
        description="Host memory bandwidth for offloaded weights.",
    )
    host_ram_gb: float | None = Field(None, gt=0, le=1_000_000, description=HOST_RAM_HELP)


def fit_answer(request: FitRequest, *, local_files: bool = False) -> FitAnswer:
    """The answer itself (the CLI renders it as tables; fit_document is its JSON). On
    llama.cpp or Ollama, a model that does not fit whole is answered with the most layers that
    fit on the GPU (Ollama splits a model this way by itself; llama.cpp with --gpu-layers)."""
    reference = system_model_reference(request.system, request.model, local_files)
    names_known_together(request.weights, request.engine, request.system)
    # an AWQ/GPTQ/FP8 server build on a Mac: its GGUF / MLX builds instead
    require_mac_build(as_system(request.system), reference, request.weights, request.engine)

    def answer_with(kv_cache: str) -> FitAnswer:
        return answer_fit(
            system_on_host(request.system, request.host_ram_gb),
            reference,
            request.weights,
            engine=request.engine,
            context_tokens=request.context_tokens,
            concurrency=request.concurrency,
            kv_cache=kv_cache,
            offload=OffloadRequest(request.gpu_layers, request.cpu_moe, request.host_bandwidth_gbs),
        )

    answer = answer_with(request.kv_cache)
    if kv_cache_of(request, answer) != request.kv_cache:  # 'auto': the engine's own choice
        answer = answer_with(kv_cache_of(request, answer))
    automatic = request.gpu_layers is None and not request.cpu_moe and request.concurrency == 1
    if (
        not automatic
        or answer.detail.fits
        or not splits_layers(resolve_engine(answer.engine), as_system(request.system).gpu)
    ):
        return answer
    plan = _most_layers_plan(request, reference, answer)
    return answer if plan is None else replace(answer, offload=plan)


def kv_cache_of(request: FitRequest, answer: FitAnswer) -> str:
    """The KV precision the answer is for: as asked, or for 'auto' the one the answer's engine
    picks for its (first) weight format."""
    return resolved_kv_cache(
        request.kv_cache, answer.engine, answer.weights.format_id, as_system(request.system).gpu
    )


def engine_of(request: FitRequest, answer: FitAnswer) -> str:
    """The engine to ask again with: as the user wrote it ('Ollama 0.12' keeps its version,
    which sets Ollama's default num_ctx), or for 'auto' the profile the answer chose."""
    return answer.engine if request.engine.strip().lower() == "auto" else request.engine


def _most_layers_plan(
    request: FitRequest, reference: ModelReference, answer: FitAnswer
) -> OffloadPlan | None:
    """The offload with as many layers on the GPU as fit (None when not one layer does)."""

    def offload_with(layers: int) -> OffloadPlan | None:
        return answer_fit(
            system_on_host(request.system, request.host_ram_gb),
            reference,
            [answer.weights.format_id],
            engine=engine_of(request, answer),
            context_tokens=answer.detail.context_tokens,
            kv_cache=kv_cache_of(request, answer),
            offload=OffloadRequest(layers, False, request.host_bandwidth_gbs),
        ).offload

    probe = offload_with(ALL_LAYERS)
    most = None if probe is None else probe.most_layers_that_fit
    if not most:
        return None
    return offload_with(most)


def fit_document(request: FitRequest, *, local_files: bool = False) -> dict[str, Any]:
    """``gpuatlas.fit/1``: the request, the first format's memory per GPU (GB as exact
    {value, low, high} ranges), a row per format, what the answer assumed, and the verdict in
    words (``verdict_text``: with partial offload, what runs where and how fast)."""
    answer = fit_answer(request, local_files=local_files)
    gpu = resolve_system(answer.detail.system_id).gpu
    stated = {"context_tokens": answer.detail.context_tokens}  # the engine's default when unset
    document = {
        "request": request.model_dump() | stated,
        **answer.detail.to_ranged_json(),
        **answer.to_json(),
        "verdict_text": verdict_text(request, answer, local_files=local_files),
        "kv_cache_assumed": kv_cache_id(kv_cache_of(request, answer)),
        **_memory_tool_source(gpu),
        **_gpu_facts(gpu),
        **engine_fields(request.engine, answer.engine, gpu),
    }
    if one_unified_device(answer.detail.system_id):
        document = _one_device_counts(document)
    return versioned(SCHEMA_ANSWER, document)


def fit_sources(answer: FitAnswer) -> str:
    """Where a fit's numbers come from: the GPU's memory (catalog facts, with their date), each
    format's bytes per weight (the catalog's formats) and the engine's runtime and activation
    memory (its profile in engines.toml)."""
    gpu = resolve_system(answer.detail.system_id).gpu
    return (
        f"sources: {gpu.short_name}'s memory from the catalog (as of {gpu.as_of}); bytes per "
        f"weight of each format from the catalog's formats; runtime and activation memory from "
        f"the {answer.engine} engine profile (engines.toml)"
    )


def _gpu_facts(gpu: Gpu) -> dict[str, Any]:
    """The catalog record the GPU's memory comes from: its source and date."""
    return {"gpu_facts": {"source": gpu.source, "as_of": gpu.as_of}}


def _memory_tool_source(gpu: Gpu) -> dict[str, Any]:
    """Where the memory footnote's tool comes from (catalog/data/memory_tools.toml): the
    vendor's tool named in `memory_source`, with its source and date."""
    tool = memory_tool(gpu.vendor)
    if tool is None:
        return {}
    return {"memory_tool_source": {"source": tool.source, "as_of": tool.as_of}}


def _one_device_counts(document: dict[str, Any]) -> dict[str, Any]:
    """A Mac's document without GPU counts above one (there is no second Mac GPU to add): a
    format that does not fit says so (`gpus_needed` null, verdict does-not-fit) and
    `more_memory` says what to do instead."""
    formats = [
        {**row, "gpus_needed": row["gpus_needed"] if row["fits"] else None}
        for row in document["formats"]
    ]
    found = {**document, "formats": formats}
    if not document["fits"]:
        found |= {"min_gpus_needed": None, "verdict": "does-not-fit"}
    if not document["fits"] or not all(row["fits"] for row in formats):
        found["more_memory"] = MAC_NO_FIT_ADVICE
    return found


def verdict_text(request: FitRequest, answer: FitAnswer, *, local_files: bool = False) -> str:
    """`fit_verdict`, and for a mixture-of-experts model split by layers on its own (no offload
    option given), how fast keeping only the experts in host memory (--cpu-moe) would be."""
    verdict = fit_verdict(answer)
    plan = answer.offload
    if plan is None or plan.experts_on_cpu or request.gpu_layers is not None:
        return verdict
    try:
        experts = answer_fit(
            system_on_host(request.system, request.host_ram_gb),
            model_reference(request.model, local_files),
            [answer.weights.format_id],
            engine=engine_of(request, answer),
            context_tokens=answer.detail.context_tokens,
            kv_cache=kv_cache_of(request, answer),
            offload=OffloadRequest(None, True, request.host_bandwidth_gbs),
        ).offload
    except InvalidRequestError:  # a dense model: no experts to move
        return verdict
    if experts is None or not experts.fits or not experts.host_fits:
        return verdict
    if experts.decode_ceiling_tok_s <= plan.decode_ceiling_tok_s:
        return verdict
    return (
        f"{verdict}; with the MoE experts in host memory instead (llama.cpp --cpu-moe): "
        f"~{_tok_s(experts.decode_ceiling_tok_s)} tok/s decode at most"
    )


def fit_verdict(answer: FitAnswer) -> str:
    """The verdict in words. With --gpu-layers / --cpu-moe it is the offload's verdict (what
    runs where, at what speed), never the all-on-GPU one beside it; without, the fit and, when
    the format asked for does not fit, the first format in the table that does."""
    if answer.offload is not None:
        verdict = _offload_verdict(answer.offload, all_fit=answer.detail.fits)
        if answer.detail.fits or not verdict.startswith("runs"):
            return verdict
        gpus = answer.detail.min_gpus_needed
        whole = f"needs {gpus} GPUs" if gpus is not None else "no number of GPUs holds it"
        return f"does not fit whole ({whole}); {verdict}"
    fit = answer.detail
    gib_needed = format_gib(fit.per_gpu.total_gb)
    usable = format_gib(fit.usable_gb)
    if fit.fits:
        return f"fits: needs {gib_needed} per GPU of {usable} usable"
    mac_memory_gb = _mac_memory_gb(fit.system_id)
    if mac_memory_gb is not None:  # one GPU, no second to add: the wired limit is the lever
        text = (
            f"does not fit on {fit.system_id} in {answer.weights.format_id}: needs "
            f"{gib_needed} of {usable} usable (macOS's default GPU share of the "
            f"{mac_memory_gb:g} GB, less the margin); raise the share with `sudo sysctl "
            "iogpu.wired_limit_mb=<MB>` (until reboot) if the memory leaves room for the "
            "system, or choose a larger memory configuration"
        )
    else:
        needed = (
            f"needs {fit.min_gpus_needed} GPUs"
            if fit.min_gpus_needed is not None
            else "no number of these GPUs holds it"
        )
        text = (
            f"does not fit on {fit.system_id} in {answer.weights.format_id}: {needed} "
            f"({gib_needed} per GPU of {usable} usable)"
        )
    fitting = _first_fitting_row(answer.rows, answer.weights.format_id)
    if fitting is not None:
        text += (
            f"; fits in {fitting.format_id} ({format_gib(fitting.weights_gb)} of weights, "
            f"max context {format_number(fitting.max_context_tokens)} tokens)"
        )
    elif _cpu_split_would_help(answer):
        text += f"; or {CPU_SPLIT_OPTION}"
    return text


def _cpu_split_would_help(answer: FitAnswer) -> bool:
    """An engine that keeps every layer on the GPU, on a GPU with memory of its own (on a
    unified-memory device the CPU's memory is the GPU's)."""
    if answer.engine.startswith(CPU_SPLIT_ENGINES):
        return False
    try:
        return not resolve_system(answer.detail.system_id).gpu.unified_memory
    except GpuAtlasError:
        return False


def gpus_needed_words(answer: FitAnswer) -> str | None:
    """'2', or 'none' when no count holds it; None on a Mac, which has one GPU to give."""
    if _mac_memory_gb(answer.detail.system_id) is not None:
        return None
    needed = answer.detail.min_gpus_needed
    return "none" if needed is None else str(needed)


def one_unified_device(system_id: str) -> bool:
    """A single Apple device (a Mac): one GPU, so no second one to add when a format does not
    fit; the lever is macOS's GPU share of the memory or a larger memory configuration."""
    return _mac_memory_gb(system_id) is not None


MAC_NO_FIT_ADVICE = (
    "a Mac has one GPU: raise macOS's GPU share (`sudo sysctl iogpu.wired_limit_mb=<MB>`) "
    "if the memory leaves room for the system, or choose a larger memory configuration"
)
# Formats of at least this many bits per weight are unquantised: the checkpoint's own tensors
# and their GGUF conversion (bf16, fp16, gguf-f16, gguf-bf16) hold the same bytes.
UNQUANTISED_BITS = 16.0


def same_weights_rows(rows: tuple[FormatRow, ...]) -> tuple[tuple[FormatRow, ...], ...]:
    """The format rows with unquantised formats of the same size and the same figures as one
    group (on llama.cpp, bf16, fp16, gguf-f16 and gguf-bf16 are the same weights in another
    file), every other row on its own; in the rows' order."""
    groups: list[list[FormatRow]] = []
    for row in rows:
        group = next((g for g in groups if _same_weights(g[0], row)), None)
        if group is None:
            groups.append([row])
        else:
            group.append(row)
    return tuple(tuple(group) for group in groups)


def _same_weights(first: FormatRow, other: FormatRow) -> bool:
    bits = as_format(first.format_id).bits_per_weight
    if bits < UNQUANTISED_BITS or as_format(other.format_id).bits_per_weight != bits:
        return False
    return _figures(first) == _figures(other)


def _figures(row: FormatRow) -> tuple[object, ...]:
    return (
        row.weights_gb,
        row.compute_precision,
        row.max_context_tokens,
        row.max_sequences,
        row.fits,
        row.gpus_needed,
    )


def _mac_memory_gb(system_id: str) -> float | None:
    """The unified memory of a single Apple device (a Mac has one GPU), else None."""
    try:
        system = resolve_system(system_id)
    except GpuAtlasError:
        return None
    gpu = system.gpu
    if system.gpu_count != 1 or gpu.vendor != "Apple" or not gpu.unified_memory:
        return None
    return gpu.memory_gb


def _first_fitting_row(rows: tuple[FormatRow, ...], asked: str) -> FormatRow | None:
    by_format = {row.format_id: row for row in rows}
    found = first_format_that_fits(
        by_format, lambda format_id: by_format[format_id].fits, besides=asked
    )
    return None if found is None else by_format[found]


def _offload_verdict(plan: OffloadPlan, *, all_fit: bool) -> str:
    where = (
        "the MoE experts in host memory (the rest on the GPU)"
        if plan.experts_on_cpu
        else f"{plan.gpu_layers} of {plan.total_layers} layers on the GPU (the rest on the CPU; "
        f"--gpu-layers {plan.gpu_layers})"
        if plan.gpu_layers < plan.total_layers
        else f"all {plan.total_layers} layers on the GPU"
    )
    if plan.fits and not plan.host_fits:
        return f"does not run with {where}: {plan.host_refusal}"
    if not plan.fits:
        text = (
            f"does not fit with {where}: the GPU would hold {format_gib(plan.gpu_total_gb)} "
            f"of {format_gib(plan.usable_gb)} usable"
        )
        return text + _most_layers_hint(plan)
    text = (
        f"runs with {where}, ~{_tok_s(plan.decode_ceiling_tok_s)} tok/s decode at most "
        f"(bandwidth ceiling at batch 1; {_tok_s(plan.all_gpu_ceiling_tok_s)} tok/s "
        "with every weight on the GPU)"
    )
    if all_fit:
        text += "; the whole model also fits on the GPU"
    return text


def offload_text(plan: OffloadPlan) -> str:
    """The offload in words, its decode ceilings written as the verdict writes them."""
    where = (
        "MoE experts in host memory"
        if plan.experts_on_cpu
        else f"{plan.gpu_layers} of {plan.total_layers} layers on the GPU"
    )
    slower = plan.all_gpu_ceiling_tok_s / plan.decode_ceiling_tok_s
    return (
        f"{where}: {format_gib(plan.cpu_weights_gb)} of weights run from host memory at "
        f"{format_given(plan.host_bandwidth_gb_s)} GB/s; decode ceiling "
        f"~{_tok_s(plan.decode_ceiling_tok_s)} tok/s vs {_tok_s(plan.all_gpu_ceiling_tok_s)} "
        f"all on the GPU ({format_number(slower, significant=2)}x slower)"
    )


def _tok_s(value: float) -> str:
    """A decode ceiling as the offload line writes it: whole tokens/s, 2 digits below 10."""
    return format_number(value, significant=2) if value < 10 else format_number(round(value))


def _most_layers_hint(plan: OffloadPlan) -> str:
    most = plan.most_layers_that_fit
    if most is None:
        return ""
    if most == 0:
        return "; not even one layer fits at this context"
    if most > plan.total_layers:
        return f"; every layer and the output layer fit (--gpu-layers {most})"
    return f"; at most {most} of {plan.total_layers} layers fit (--gpu-layers {most})"


class FitTrainingRequest(SystemModelRequest):
    """Training memory of a model on a system (the defaults of `gpuatlas fit --training`)."""

    training: str = Field(
        min_length=1,
        max_length=20,
        examples=["lora"],
        description="Training method: full, lora or qlora.",
    )
    sequence_tokens: int = Field(2048, ge=1, le=2_000_000, description="Training sequence length.")
    micro_batch: int = Field(1, ge=1, le=4096, description="Training micro-batch per GPU.")
    checkpointing: bool = Field(False, description="Activation checkpointing.")
    sharding: str = Field(
        "none", min_length=1, max_length=20, description="none, zero1, zero2, zero3, fsdp."
    )


def fit_training_document(
    request: FitTrainingRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.fit-training/1``: the request and memory per GPU for training (weights,
    gradients, optimizer, activations, overhead as GB ranges), whether it fits and why, and,
    when it does not, the nearby setups that would (``would_fit``: label and GB per GPU)."""
    model = model_reference(request.model, local_files).model
    result = api.training_memory(
        request.system,
        model,
        request.training,
        sequence_tokens=request.sequence_tokens,
        micro_batch=request.micro_batch,
        checkpointing=request.checkpointing,
        sharding=request.sharding,
    )
    would_fit = (
        []
        if result.fits
        else [
            {"setup": label, "total_gb": total_gb}
            for label, total_gb in fitting_setups(
                as_system(request.system),
                as_llm(model),
                TrainingSetup(
                    request.training,
                    request.sequence_tokens,
                    request.micro_batch,
                    request.checkpointing,
                    request.sharding,
                ),
            )
        ]
    )
    return versioned(
        "fit-training",
        {"request": request.model_dump(), **result.to_ranged_json(), "would_fit": would_fit},
    )
