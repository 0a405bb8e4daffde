"""Inference engine profiles (data/engines.toml): formats, memory policy, efficiency priors."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.catalog.formats import resolve_format, template_format_id
from gpuatlas.errors import DataFileError, GpuAtlasError, InvalidRequestError, UnknownNameError

MultiGpuMode = Literal["tensor", "layer-split"]
# What a sliding-window layer's KV cache holds per sequence (see data/engines.toml).
SlidingWindowKv = Literal["window", "window+chunk", "full"]
SparseAttention = Literal["gather", "mask"]
# what a step pays its time per kernel for ("own-kernels": an engine of its own fused kernels,
# not a ggml graph, that pays none)
KernelGraph = Literal["mlx-stages", "ggml-nodes", "own-kernels"]
# What an engine's memory_fraction is a share of (see data/engines.toml).
MemoryFractionOf = Literal["total", "free"]


@dataclass(frozen=True)
class EngineProfile:
    """One engine's behaviour as the estimators need it (see data/engines.toml)."""

    id: str
    names: tuple[str, ...]
    formats: tuple[str, ...]
    kv_cache: tuple[str, ...]
    memory_fraction: float
    cuda_context_gb: float
    kv_block_tokens: int
    eta_memory: float
    eta_compute: float
    step_overhead_ms: float
    layer_overhead_ms: float
    sequence_overhead_us: float
    attention_score_bytes: float
    max_batch: int
    prefill_chunk_tokens: int
    multi_gpu: MultiGpuMode
    fp16_accumulate: bool
    activation_gb_per_1k_batch_tokens: float
    source: str
    quantized_kv_cache: str = ""  # KV precision 'auto' takes from quantized checkpoints
    quantized_kv_formats: tuple[str, ...] = ()  # the weight formats whose checkpoints set it
    family: str = ""  # the engine users name ('llama.cpp' for 'llama.cpp-vulkan'); '' = id
    backends: tuple[str, ...] = ("cuda",)  # compute backends this profile models
    from_version: str = ""  # first release this profile models ('0.8.0', 'b4000'); '' = any
    before_version: str = ""  # first release it no longer models
    from_month: str = ""  # 'YYYY-MM' bounds used when a version names no release
    before_month: str = ""
    calibrate_from: str = ""  # engine whose calibrated levels apply where this one is unmeasured
    host_overlaps_gpu: bool = False  # per-layer host time runs while the GPU works (see toml)
    kernel_overhead_us: float = 0.0  # prior time per kernel a step launches (step_kernels.py)
    kernel_graph: KernelGraph = "mlx-stages"  # how those kernels are counted (see toml)
    fits_kernel_overhead: bool = True  # calibrate fits the time per kernel (else the prior)
    fused_recurrence: bool = False  # ggml's fused gated_delta_net op in decode (see toml)
    wires_weights_per_call: bool = False  # each run wires the weights into GPU residency
    wire_ms_per_gb: float = 0.0  # prior time of that wiring per GB of weights (see toml)
    shares_levels: bool = False  # its rows calibrate, and it uses, calibrate_from's levels
    prefill_dequantizes_weights: bool = False  # quantised weights -> fp16 before each prefill GEMM
    gptq_reconstruct_above_tokens: int = 0  # GPTQ: steps above this many tokens GEMM an fp16 copy
    awq_reconstruct_above_tokens: int = 0  # AWQ: likewise (see toml)
    block_scale_ops: float = 0.0  # vector ops per 32-weight block per token of the int8 matmul
    pipeline_batch_tokens: int = 0  # layer-split GPUs pipeline the ubatches of such a batch; 0 = no
    expert_pass_tokens: float = 0.0  # fixed cost of one routed expert's GEMM per step, in tokens
    decode_attention_per_query_head: bool = False  # decode KQ/KQV as broadcast mat-vecs (no FA)
    # its one-shot all-reduce over NVLink: (GPUs, µs per call, µs per MB) measured; see toml
    custom_allreduce_us: tuple[tuple[int, float, float], ...] = ()
    custom_allreduce_max_mb: float = 0.0  # largest message it takes (MB); above: NCCL
    own_matvec_kernels: bool = False  # batch-1 decode on its own mat-vec kernels, not a library's
    host_input_tables: bool = False  # lookup tables read a row per token stay in host memory
    input_table_bits: float = 0.0  # that table's bits per weight in the engine's files (0: format)
    moe_layer_time: bool = False  # each MoE layer adds a fitted time to a decode step (see toml)
    moe_layer_era: str = ""  # which fitted time per MoE layer it pays ('' or 'fused'; see toml)
    matvec_share_era: str = ""  # which fitted mat-vec ALU share of its backend it pays (see toml)
    fused_moe_group: str = ""  # its fused-MoE path's fitted time per MoE layer and step (see toml)
    # its prefill steps run eagerly: a fitted host time per layer and step of this group (toml)
    eager_prefill_group: str = ""
    # each prompt token adds a fitted time per recurrent (linear-attention) layer (see toml)
    recurrent_prefill_time: bool = False
    fits_moe_layer_time: bool = True  # its paying rows calibrate that time (false: it only pays)
    fits_recurrent_prefill_time: bool = True  # likewise for the recurrent prompt time
    sliding_window_kv: SlidingWindowKv = "window"  # tokens a sliding-window layer's cache holds
    sparse_attention: SparseAttention = "gather"  # DSA top-k: read the selected tokens or mask all
    profiles_image_encoder: bool = False  # start-up profile runs the image encoder (vLLM V1)
    format_note: str = ""  # why it lacks formats its engine loads on other backends
    moe_gemm_efficiency: float = 1.0  # routed-expert grouped GEMMs' share of the dense GEMM rate
    upcast_expert_formats: tuple[str, ...] = ()  # expert weights upcast inside its GEMMs (see toml)
    upcast_expert_families: tuple[str, ...] = ()  # the architecture families where it does so
    fallback_expert_formats: tuple[str, ...] = ()  # MoE experts on an unmeasured generic kernel
    weight_only_formats: tuple[str, ...] = ()  # formats it runs weight-only (W4A16) on ...
    weight_only_capabilities: tuple[str, ...] = ()  # ... NVIDIA GPUs of these compute capabilities
    vector_alu_families: tuple[str, ...] = ()  # matmuls on vector ALUs there ('*': every family)
    dp4a_families: tuple[str, ...] = ()  # quantised prompt GEMMs as int8 DP4A there (integer_dot)
    # (GPU target or architecture family, instructions one dp4a costs) where the build emulates
    # the int8 dot4 instruction (integer_dot.matvec_dp4a_instructions); elsewhere 1
    emulated_dp4a: tuple[tuple[str, float], ...] = ()
    flash_attention_families: tuple[str, ...] = ()  # model families run with flash attention
    flash_attention_flag: bool = False  # llama.cpp's -fa chooses the attention path (see toml)
    server_flash_attention_from: str = ""  # llama-server's flash-attention default from (toml)
    own_engine: str = ""  # the profile that runs own_engine_families' models (see toml)
    own_engine_families: tuple[str, ...] = ()  # model families this release runs on own_engine
    full_window_families: tuple[str, ...] = ()  # families whose sliding layers it holds in full
    unserved_targets: tuple[str, ...] = ()  # GPU targets ('gfx1031') its build does not run on
    memory_fraction_of: MemoryFractionOf = "total"  # KV pool: share of the card or of what is free
    bf16_min_compute_capability: float = 0.0  # NVIDIA GPUs below it: bf16 refused (0: never)
    # (format, capability): the engine refuses weights of the format on NVIDIA GPUs below it
    format_min_compute_capability: tuple[tuple[str, float], ...] = ()
    bf16_in_fp32_math: bool = False  # bf16 GEMMs on a GPU without a bf16 rate: fp32 math (cuBLAS)

    @property
    def engine(self) -> str:
        """The engine as users name it (the profile's family)."""
        return self.family or self.id

    def supports_format(self, format_id: str) -> bool:
        """An engine that loads the EXL2 entry loads every EXL2 bitrate ('exl2-6.5bpw')."""
        return format_id in self.formats or template_format_id(format_id) in self.formats


class _EngineRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    names: list[str] = []
    formats: list[str] = Field(min_length=1)
    kv_cache: list[str] = Field(min_length=1)
    memory_fraction: float = Field(gt=0, le=1)
    cuda_context_gb: float = Field(ge=0)
    kv_block_tokens: int = Field(ge=1)
    eta_memory: float = Field(gt=0, le=1)
    eta_compute: float = Field(gt=0, le=1)
    step_overhead_ms: float = Field(ge=0)
    layer_overhead_ms: float = Field(ge=0)
    sequence_overhead_us: float = Field(ge=0)
    attention_score_bytes: float = Field(default=0.0, ge=0)
    max_batch: int = Field(ge=1)
    prefill_chunk_tokens: int = Field(ge=1)
    multi_gpu: MultiGpuMode
    fp16_accumulate: bool
    activation_gb_per_1k_batch_tokens: float = Field(ge=0)
    source: str = Field(min_length=3)
    quantized_kv_cache: str = ""
    quantized_kv_formats: list[str] = []
    family: str = ""
    backends: list[str] = Field(default=["cuda"], min_length=1)
    from_version: str = ""
    before_version: str = ""
    from_month: str = Field(default="", pattern=r"^(\d{4}-\d{2})?$")
    before_month: str = Field(default="", pattern=r"^(\d{4}-\d{2})?$")
    calibrate_from: str = ""
    host_overlaps_gpu: bool = False
    kernel_overhead_us: float = Field(default=0.0, ge=0)
    kernel_graph: KernelGraph = "mlx-stages"
    fits_kernel_overhead: bool = True
    fused_recurrence: bool = False
    wires_weights_per_call: bool = False
    wire_ms_per_gb: float = Field(default=0.0, ge=0)
    shares_levels: bool = False
    prefill_dequantizes_weights: bool = False
    gptq_reconstruct_above_tokens: int = Field(default=0, ge=0)
    awq_reconstruct_above_tokens: int = Field(default=0, ge=0)
    block_scale_ops: float = Field(default=0.0, ge=0)
    pipeline_batch_tokens: int = Field(default=0, ge=0)
    expert_pass_tokens: float = Field(default=0.0, ge=0)
    decode_attention_per_query_head: bool = False
    own_matvec_kernels: bool = False
    host_input_tables: bool = False
    input_table_bits: float = Field(default=0.0, ge=0)
    moe_layer_time: bool = False
    moe_layer_era: str = Field(default="", pattern=r"^(fused)?$")
    matvec_share_era: str = Field(default="", pattern=r"^(20[0-9]{2})?$")
    fused_moe_group: str = ""
    eager_prefill_group: str = ""
    recurrent_prefill_time: bool = False
    fits_moe_layer_time: bool = True
    fits_recurrent_prefill_time: bool = True
    sliding_window_kv: SlidingWindowKv = "window"
    sparse_attention: SparseAttention = "gather"
    profiles_image_encoder: bool = False
    format_note: str = ""
    moe_gemm_efficiency: float = Field(default=1.0, gt=0, le=1)
    upcast_expert_formats: list[str] = []
    upcast_expert_families: list[str] = []
    fallback_expert_formats: list[str] = []
    weight_only_formats: list[str] = []
    weight_only_capabilities: list[str] = []
    vector_alu_families: list[str] = []
    dp4a_families: list[str] = []
    emulated_dp4a: list[tuple[str, float]] = []
    flash_attention_families: list[str] = []
    flash_attention_flag: bool = False
    server_flash_attention_from: str = ""
    own_engine: str = ""
    own_engine_families: list[str] = []
    full_window_families: list[str] = []
    unserved_targets: list[str] = []
    memory_fraction_of: MemoryFractionOf = "total"
    bf16_min_compute_capability: float = Field(default=0.0, ge=0)
    format_min_compute_capability: dict[str, float] = {}
    bf16_in_fp32_math: bool = False
    custom_allreduce_us: list[tuple[int, float, float]] = []
    custom_allreduce_max_mb: float = Field(default=0.0, ge=0)


def _with_parents(tables: list[dict[str, object]]) -> list[dict[str, object]]:
    """Profiles with `extends = "<id>"` take every field of that (earlier) profile except its
    id, names, and generation bounds, then their own."""
    by_id: dict[str, dict[str, object]] = {}
    merged = []
    for table in tables:
        parent_id = table.get("extends")
        own = {k: v for k, v in table.items() if k != "extends"}
        if isinstance(parent_id, str) and parent_id in by_id:
            parent = by_id[parent_id]
            inherited = {k: v for k, v in parent.items() if k not in _NOT_INHERITED}
            family = parent.get("family") or parent_id
            own = {**inherited, "family": family, "calibrate_from": parent_id, **own}
        by_id[str(table.get("id", ""))] = own
        merged.append(own)
    return merged


_NOT_INHERITED = frozenset(
    {
        "id",
        "names",
        "from_version",
        "before_version",
        "from_month",
        "before_month",
        "calibrate_from",
        "source",
        "moe_layer_time",  # measured per profile, not carried to profiles that extend it
        "moe_layer_era",  # likewise
        "matvec_share_era",  # likewise
        "recurrent_prefill_time",  # likewise
        "own_engine",  # which code runs a model is a property of the release
        "own_engine_families",
    }
)


def parse_engines(text: str, origin: str = "engines.toml") -> tuple[EngineProfile, ...]:
    """Validate an engines file; every problem is reported at once."""
    try:
        tables = _with_parents(tomllib.loads(text).get("engine", []))
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(origin, [f"not valid TOML: {error}"]) from None
    profiles: list[EngineProfile] = []
    problems: list[str] = []
    for position, table in enumerate(tables, start=1):
        try:
            record = _EngineRecord.model_validate(table)
        except ValidationError as error:
            label = f"[[engine]] #{position} ({table.get('id', '?')})"
            problems += [f"{label}, field {e['loc'][0]}: {e['msg']}" for e in error.errors()]
            continue
        values = record.model_dump()
        values.update(names=tuple(record.names), formats=tuple(record.formats))
        values["kv_cache"] = tuple(record.kv_cache)
        values["quantized_kv_formats"] = tuple(record.quantized_kv_formats)
        values["backends"] = tuple(record.backends)
        values["vector_alu_families"] = tuple(record.vector_alu_families)
        values["dp4a_families"] = tuple(record.dp4a_families)
        values["emulated_dp4a"] = tuple((key, count) for key, count in record.emulated_dp4a)
        values["flash_attention_families"] = tuple(record.flash_attention_families)
        values["own_engine_families"] = tuple(record.own_engine_families)
        values["full_window_families"] = tuple(record.full_window_families)
        values["unserved_targets"] = tuple(record.unserved_targets)
        values["upcast_expert_formats"] = tuple(record.upcast_expert_formats)
        values["upcast_expert_families"] = tuple(record.upcast_expert_families)
        values["fallback_expert_formats"] = tuple(record.fallback_expert_formats)
        values["weight_only_formats"] = tuple(record.weight_only_formats)
        values["weight_only_capabilities"] = tuple(record.weight_only_capabilities)
        values["custom_allreduce_us"] = tuple(tuple(t) for t in record.custom_allreduce_us)
        values["format_min_compute_capability"] = tuple(
            record.format_min_compute_capability.items()
        )
        profiles.append(EngineProfile(**values))
    if problems:
        raise DataFileError(origin, problems)
    return tuple(profiles)


@cache
def all_engines() -> tuple[EngineProfile, ...]:
    path = resources.files("gpuatlas.performance") / "data" / "engines.toml"
    return parse_engines(path.read_text(encoding="utf-8"), str(path))


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


@cache
def _engine_index() -> dict[str, EngineProfile]:
    index: dict[str, EngineProfile] = {}
    for profile in all_engines():
        for name in (profile.id, *profile.names):
            index.setdefault(_key(name), profile)
    return index


def resolve_engine(name: str | EngineProfile) -> EngineProfile:
    """An engine from the names people write ("vLLM", "TensorRT-LLM", "llama.cpp")."""
    if isinstance(name, EngineProfile):
        return name
    found = _engine_index().get(_key(name))
    if found is not None:
        return _without_overheads(found) if _OVERHEADS_OFF else found
    ids = [profile.id for profile in all_engines()]
    close = difflib.get_close_matches(_key(name), list(_engine_index()), n=4, cutoff=0.5)
    candidates = sorted({_engine_index()[key].id for key in close}) or ids
    raise UnknownNameError("engine", name, candidates)


_OVERHEADS_OFF: list[bool] = []


@contextmanager
def engine_overheads_off() -> Iterator[None]:
    """Resolve engines without fixed costs (per-step, per-layer, per-kernel, per-sequence):
    the pure roofline baseline of the accuracy report."""
    _OVERHEADS_OFF.append(True)
    try:
        yield
    finally:
        _OVERHEADS_OFF.pop()


def _without_overheads(profile: EngineProfile) -> EngineProfile:
    return replace(
        profile,
        step_overhead_ms=0.0,
        layer_overhead_ms=0.0,
        kernel_overhead_us=0.0,
        sequence_overhead_us=0.0,
    )


def engine_for_model(profile: EngineProfile, model_family: str) -> EngineProfile:
    """The profile that runs a model of `model_family` under `profile`'s release: its
    own_engine where the release routes the family there (engines.toml own_engine_families:
    Ollama's Go engine before v0.30.0), else the profile itself."""
    if not profile.own_engine or model_family not in profile.own_engine_families:
        return profile
    return resolve_engine(profile.own_engine)


def require_format(
    engine: EngineProfile, format_id: str, loaded_here: Sequence[str] | None = None
) -> None:
    """Raise a clear error when the engine cannot load weights in this format: the formats it
    loads, why it lacks this one where its engine loads it on other backends (`format_note`:
    transformers on Apple MPS), and the engines that load it on the same backends, or
    `loaded_here` where the caller knows the GPU (engine_specs.require_format_on: every engine
    that loads it there, mlx-lm beside the Metal engines on a Mac)."""
    if engine.supports_format(format_id):
        return
    elsewhere = dict.fromkeys(
        backend
        for p in all_engines()
        if p.engine == engine.engine and p.supports_format(format_id)
        for backend in p.backends
        if backend not in engine.backends
    )
    where = "" if "cuda" in engine.backends else f" on {', '.join(engine.backends)}"
    engines = dict.fromkeys(
        loaded_here
        if loaded_here is not None
        else (
            p.engine
            for p in all_engines()
            if p.supports_format(format_id) and set(p.backends) & set(engine.backends)
        )
    )
    loads = f"it loads{where}: {', '.join(engine.formats)}"
    if elsewhere and engine.format_note:
        head = f"engine {engine.engine} does not load {format_id} weights{where}: "
        head += f"{engine.format_note} ({loads}); it loads {format_id} on {', '.join(elsewhere)}"
    else:
        head = f"engine {engine.id} does not load {format_id} weights ({loads}: name one with "
        head += f"--weights, e.g. --weights {engine.formats[0]})"
    raise InvalidRequestError(
        [f"{head}; engines that load {format_id}{where}: {', '.join(engines) or 'none'}"]
    )


def require_kv_cache(engine: EngineProfile, kv_cache: str) -> None:
    if kv_cache not in engine.kv_cache:
        raise InvalidRequestError(
            [
                f"engine {engine.id} has no {kv_cache} KV cache (it offers: "
                f"{', '.join(engine.kv_cache)})"
            ]
        )


def as_predictions_use_it(profile: EngineProfile) -> EngineProfile:
    """The profile, without its engine overheads inside `engine_overheads_off()`."""
    return _without_overheads(profile) if _OVERHEADS_OFF else profile


def auto_kv_cache(engine: str, weights: str) -> str:
    """KV precision an engine picks when the user leaves it at 'auto': the checkpoint's own
    quantization config for engines that read it (`quantized_kv_cache`, e.g. TensorRT-LLM 1.x
    with NVIDIA ModelOpt FP8/NVFP4 checkpoints, whose hf_quant_config.json sets
    kv_cache_quant_algo FP8), else fp16."""
    try:
        profile = resolve_engine(engine)
        format_id = resolve_format(weights).id
    except GpuAtlasError:
        return "fp16"
    if profile.quantized_kv_cache and format_id in profile.quantized_kv_formats:
        return profile.quantized_kv_cache
    return "fp16"
