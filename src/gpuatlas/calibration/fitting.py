"""Fit the calibration from measured rows (pure: rows in, a Calibration out).

Groups are fitted from the general to the specific ("<kind>|<engine>|*|*", then by precision
class, by GPU architecture family, then both), each shrunk toward its parent with a weight of
`PRIOR_ROWS` pseudo-rows, so a group with one measurement moves only part of the way.

- decode: step = M·m + o + fixed (memory-bound rows; m = 1/η_m, o the per-step overhead),
  relative least squares with the prior as a penalty;
- prefill, serving, image, train: one multiplicative correction per group from the median
  log ratio of measured to predicted (η_c for prefill and training, a factor otherwise).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gpuatlas.calibration.image_pipeline_fit import (
    PipelineRow,
    fit_offload_share,
    fit_pipeline_constants,
    offloading,
)
from gpuatlas.calibration.kernel_fit import WIRE_MS_PER_GB_SCALE, fit_kernel_overhead_group
from gpuatlas.calibration.training_host import (
    ADAM_FACTOR_RANGE,
    ADAM_FIELD,
    ADAM_PRIOR_ROWS,
    FACTOR_RANGE,
    fit_host_factors,
)
from gpuatlas.calibration.training_host import FIELD as HOST_FIELD
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.measurements import MeasuredRow
from gpuatlas.catalog.model_arch import DiffusionArch, VisionLanguageArch
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.calibration_table import (
    ALL_BACKENDS,
    EAGER_PREFILL_LAYER_US_PRIOR,
    HBM_SINGLE_STREAM_SHARE_PRIOR,
    MATVEC_ALU_SHARE_PRIOR,
    METRIC_KINDS,
    MOE_LAYER_US_PRIOR,
    RECURRENT_PREFILL_US_PRIOR,
    ROUTED_EXPERT_SHARE_PRIOR,
    UPCAST_EXPERT_SHARE_PRIOR,
    Calibration,
    base_engine,
    current_calibration,
    engine_precision,
    group_keys,
    share_key,
    using_calibration,
)
from gpuatlas.performance.cases import (
    Case,
    case_llm_runtime,
    case_system,
    predict_case,
    resolution_px,
)
from gpuatlas.performance.engine_profiles import auto_kv_cache, engine_for_model, resolve_engine
from gpuatlas.performance.engine_specs import engine_for_version, engine_profile, profile_backend
from gpuatlas.performance.llm.predict import (
    early_stop,
    run_cycles,
    running_batch,
    runtime_max_batch,
    serving_cycle_s,
)
from gpuatlas.performance.llm.server_slots import server_slots
from gpuatlas.performance.llm.step_times import (
    LlmRuntime,
    matvec_alu_backend,
    pays_single_stream_share,
    pays_upcast_expert_gemms,
)
from gpuatlas.performance.media.diffusion import (
    EAGER_ENGINE,
    PIPELINE_KEY,
    PIPELINE_PRIORS,
    REPLAY_KEY,
    SHARED_HOST_PLATFORM,
    DiffusionWork,
    PipelineConstants,
    diffusion_work,
    host_platform,
    host_platform_key,
    image_calibration_class,
    image_engine,
    max_image_batch,
    split_key,
    variant_parts,
)
from gpuatlas.performance.media.diffusion import PRIORS as DIFFUSION_PRIORS
from gpuatlas.performance.peak_rates import hardware_class, precision_class
from gpuatlas.performance.resolve import as_format, as_model
from gpuatlas.performance.training.engines import row_framework
from gpuatlas.performance.training.speed import MFU_PRIOR
from gpuatlas.performance.training.variants import variant_optimizer_on_host

PRIOR_ROWS = 2.0
OVERHEAD_SCALE_MS = 1.0
HIGHER_IS_BETTER = {
    "prefill_tok_s",
    "decode_tok_s",
    "serving_output_tok_s",
    "images_per_min",
    "train_tok_s",
}
MIN_LOG_BAND = 0.05
LEVELS = 12  # 6 keys per engine; compiled image engines add theirs after diffusers'
MAX_NEUTRAL_ETA = 1.5  # family-neutral efficiency; the final one is capped at 1
BAND_QUANTILE = 0.8
# Candidate mat-vec ALU issue shares (fit_matvec_alu_shares): 0.1 to 2.2 in steps of 1.2x
MATVEC_SHARE_GRID = tuple(0.1 * 1.2**step for step in range(18))
# The engine whose own decode rows fit the mat-vec ALU shares (fit_matvec_alu_shares; engines.toml
# matvec_share_era): the share is its kernels'; engines that run them underneath pay it.
SHARE_ENGINE = "llama.cpp"
# Candidate HBM single-stream memory shares (fit_hbm_single_stream_share): 0.5 to 1.2 in
# steps of 1.05x (a share above 1: one sequence streams faster than the batched level)
SINGLE_STREAM_GRID = tuple(0.5 * 1.05**step for step in range(19))
# Candidate times per MoE layer of a decode step, microseconds: 0 to 10 in steps of 2.5 (a kernel
# launch's few microseconds), then to 200 in steps of 10.
MOE_LAYER_US_GRID = (0.0, 2.5, 5.0, 7.5, *(10.0 * step for step in range(1, 21)))
# Candidate times per MoE layer of a fused-MoE group's decode step (fit_fused_moe_times),
# microseconds: 0 to 400 in steps of 20.
FUSED_MOE_US_GRID = tuple(20.0 * step for step in range(21))
# Candidate shares of the grouped expert-GEMM rate an upcasting engine reaches
# (fit_upcast_expert_share): 1 down to 0.1 in steps of 1/1.2.
UPCAST_SHARE_GRID = tuple(1.2**-step for step in range(13))
# Candidate routed-expert GEMM shares (fit_routed_expert_shares): 1 down to 0.32 in steps of 1.1x
ROUTED_SHARE_GRID = tuple(1.1**-step for step in range(13))
# Candidate times per prompt token and recurrent layer of a prefill, microseconds: 0 to 12 in
# steps of 1.
RECURRENT_PREFILL_US_GRID = tuple(1.0 * step for step in range(13))
# Candidate host times per layer of an eager prefill step (fit_eager_prefill_times),
# microseconds: 0 to 3,000 in steps of 150.
EAGER_PREFILL_US_GRID = tuple(150.0 * step for step in range(21))


@dataclass(frozen=True)
class Observation:
    """A measured row with what the fit needs: its case, kind and group labels."""

    row: MeasuredRow
    case: Case
    kind: str
    engine: str
    family: str
    precision_class: str
    model_family: str


_VLLM_WITH_CUDA_GRAPHS = ("vllm", "vllm-pre-hybrid-kv")  # CUDA generations from 0.2.7 on


def case_from_row(row: MeasuredRow) -> Case:
    engine = _row_engine(row)
    if "static-batching" in variant_parts(row.variant) and engine == "tensorrt-llm":
        engine = "tensorrt-llm-0.x"
    if "enforce-eager" in variant_parts(row.variant) and engine in _VLLM_WITH_CUDA_GRAPHS:
        engine = "vllm-eager"  # CUDA graphs off: the eager generation's behaviour
    return Case(
        gpu=row.gpu,
        gpu_count=row.gpu_count,
        model=row.model,
        weights=row.weights,
        engine=engine,
        batch=row.batch,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        metric=row.metric,
        resolution=row.resolution,
        steps=row.steps,
        kv_cache=_kv_cache(row.kv_cache, engine, row.weights),
        variant=row.variant,
        gpu_layers=row.gpu_layers,
        host_bandwidth_gb_s=row.host_bandwidth_gb_s,
        engine_text=run_engine_text(row),
        requests=row.requests,
        mean_output_tokens=row.mean_output_tokens,
        lengths=row.lengths or "fixed",
        server_slots=row.server_slots,
        num_ctx=row.num_ctx,
        gradient_accumulation=row.gradient_accumulation,
        depth=row.depth,
    )


def run_engine_text(row: MeasuredRow) -> str | None:
    """The engine as the run states it: with its version ('Ollama 0.12.6'), else with the
    source's date ('Ollama (run of 2025-09-06)': the release current then), else None (the
    engine's newest). It sets what depends on the release, such as Ollama's default num_ctx."""
    if row.engine_version:
        return f"{row.engine} {row.engine_version}"
    if row.source_date:
        return f"{row.engine} (run of {row.source_date})"
    return None


def _row_engine(row: MeasuredRow) -> str:
    """The engine profile of an LLM row: its engine at its version on its backend (stated,
    else the engine's default for the row's GPU); image and training rows keep their engine
    (with the generation its version names); a training row's engine is its framework."""
    if METRIC_KINDS[row.metric] == "train":
        return row_framework(row.engine, row.engine_version).id
    if METRIC_KINDS[row.metric] == "image":
        return engine_for_version(row.engine, row.engine_version, row.source_date)
    try:
        return engine_profile(
            row.engine, gpu_by_id(row.gpu), row.engine_version, row.source_date, row.backend
        ).id
    except GpuAtlasError:
        return engine_for_version(row.engine, row.engine_version, row.source_date)


def _kv_cache(text: str | None, engine: str, weights: str) -> str:
    """The row's KV precision; an unstated one ('auto') is the engine's default for these
    weights (see `auto_kv_cache`)."""
    if not text or text.lower() in ("auto", "default"):
        return auto_kv_cache(engine, weights)
    if text.lower() == "f16":
        return "fp16"
    return text


def observe(row: MeasuredRow) -> Observation | None:
    """The row as an observation, or None when its model or format is unknown here or the data
    set marks it unusable for calibration (a deciding setting the source leaves unknowable)."""
    if row.unusable_for_calibration:
        return None
    try:
        model = as_model(row.model)
        pclass = precision_class(as_format(row.weights))
    except GpuAtlasError:
        return None
    kind = METRIC_KINDS[row.metric]
    if isinstance(model, VisionLanguageArch) and row.metric == "images_per_min":
        kind = "vision"
    if row.metric == "ttft_ms" and isinstance(row.batch, int) and row.batch > 1:
        kind = "serving_ttft"  # measured under load, not a static batch: reported, not fitted
    if isinstance(model, DiffusionArch):
        pclass = "unet" if model.denoiser_type == "unet" else "dit"
    engine = _levels_engine(_model_engine(case_from_row(row).engine, model.family))
    engine = image_engine(engine, row.variant) if isinstance(model, DiffusionArch) else engine
    engine = row_framework(row.engine, row.engine_version).id if kind == "train" else engine
    gpu = gpu_by_id(row.gpu)
    hardware = image_calibration_class(gpu) if kind == "image" else hardware_class(gpu)
    return Observation(row, case_from_row(row), kind, engine, hardware, pclass, model.family)


def _profile_engine(item: Observation) -> str:
    """The engine profile an LLM row runs (its levels may be another's: `_levels_engine`)."""
    return item.case.engine if item.kind in ("decode", "prefill", "serving") else item.engine


def _model_engine(engine: str, model_family: str) -> str:
    """The profile that runs a model of this family in the engine's release (engines.toml
    own_engine_families: Ollama's Go engine), so that its rows calibrate that profile."""
    try:
        return engine_for_model(resolve_engine(engine), model_family).id
    except GpuAtlasError:
        return engine


def _levels_engine(engine: str) -> str:
    """The engine whose levels a row calibrates: its own, or its parent's for a profile that
    runs the parent's kernels (engines.toml shares_levels: vLLM without CUDA graphs)."""
    try:
        profile = resolve_engine(engine)
    except GpuAtlasError:
        return engine
    return profile.calibrate_from if profile.shares_levels and profile.calibrate_from else engine


def observations(rows: Iterable[MeasuredRow]) -> list[Observation]:
    return [found for found in (observe(row) for row in rows) if found is not None]


def log_error(observation: Observation, predicted: float) -> float:
    """log(predicted / measured) in the 'higher is better' direction of the metric."""
    ratio = predicted / observation.row.value
    return math.log(ratio) if observation.row.metric in HIGHER_IS_BETTER else -math.log(ratio)


def predicted_value(observation: Observation) -> float | None:
    try:
        return predict_case(observation.case).value
    except GpuAtlasError:
        return None


# ----- group keys ---------------------------------------------------------------------------


def _levels(observation: Observation) -> list[str]:
    o = observation
    return group_keys(o.kind, o.engine, o.family, o.precision_class)


def _grouped(items: Sequence[Observation], level: int) -> dict[str, list[Observation]]:
    """Items by their key at this level; an item only fits keys of its own engine (a
    compiled image engine inherits the diffusers keys without being fitted into them)."""
    groups: dict[str, list[Observation]] = {}
    for item in items:
        keys = _levels(item)
        if level < len(keys) and keys[level].split("|")[1] == item.engine:
            groups.setdefault(keys[level], []).append(item)
    return groups


def _with_group(calibration: Calibration, key: str, values: dict[str, float]) -> Calibration:
    groups = dict(calibration.groups)
    groups[key] = {**groups.get(key, {}), **values}
    return replace(calibration, groups=groups)


# ----- decode and prefill: two-parameter fits -------------------------------------------------


@dataclass(frozen=True)
class LinearTerms:
    """measured ≈ slope·x + overheads·o + fixed (x: roofline seconds at 100 % of peak)."""

    x_s: float
    overheads: float
    fixed_s: float
    measured_s: float
    other_s: float  # the other roofline side (compute for decode, memory for prefill)
    weight: float = 1.0  # each GPU counts once in a group: 1 / its rows there
    # units of a fixed cost whose unit time the group fits (kernel_fit): decode of an engine
    # paying per kernel stage, its stages a step; prefill of an engine wiring its weights per
    # call, the weights' MB (µs per MB = ms per GB)
    kernels: float = 0.0


def _runtime_of(case: Case) -> LlmRuntime | None:
    try:
        system = case_system(case)
        return case_llm_runtime(case, system, case.model, case.kv_cache)
    except GpuAtlasError:
        return None


def decode_terms(observation: Observation) -> LinearTerms | None:
    case, row = observation.case, observation.row
    runtime = _runtime_of(case)
    if runtime is None:
        return None
    batch = case.batch if isinstance(case.batch, int) else 1
    context = (case.depth or 0) + (case.input_tokens or 0) + (case.output_tokens or 0) / 2
    flops, moved = runtime.decode_terms(batch, context)
    fixed = runtime.engine.layer_overhead_ms * 1e-3 * runtime.model.num_layers
    fixed += runtime.communication_s(batch) + batch * runtime.engine.sequence_overhead_us * 1e-6
    measured = batch / row.value if row.metric == "decode_tok_s" else row.value / 1e3
    memory_prior, compute_prior = _family_priors(observation)
    memory_s = moved / runtime.bandwidth_bytes_s / memory_prior
    memory_s /= float(runtime.decode_memory_share(batch))  # one sequence on HBM: a lower level
    compute_s = flops / runtime.peak_flops / compute_prior
    fixed -= _hidden_host_s(runtime, memory_s, compute_s, 1)
    fixed += runtime.moe_layers_s  # the MoE layers' time in force (fit_moe_layer_time)
    if runtime.engine.kernel_overhead_us > 0.0 and runtime.engine.fits_kernel_overhead:
        # the fit adds kernels x its time per kernel
        kernels = float(runtime.paid_kernels)
        return LinearTerms(memory_s, 1.0, fixed, measured, compute_s, kernels=kernels)
    fixed += runtime.kernels_ms * 1e-3  # kernels x the engine's time per kernel (not fitted)
    return LinearTerms(memory_s, 1.0, fixed, measured, compute_s)


def _hidden_host_s(
    runtime: LlmRuntime, memory_s: float, compute_s: float, steps: int, prefill: bool = False
) -> float:
    """The host time an overlapping engine hides under GPU work (`host_hidden_s`, or
    `prefill_host_hidden_s` for prefill steps), taken at the engine's prior efficiencies so
    that the fit stays linear in the fitted ones."""
    engine = runtime.engine
    gpu_s = max(memory_s / engine.eta_memory, compute_s / engine.eta_compute)
    if prefill:
        return float(runtime.prefill_host_hidden_s(gpu_s, steps))
    return float(runtime.host_hidden_s(gpu_s, steps))


def prefill_terms(observation: Observation) -> LinearTerms | None:
    case, row = observation.case, observation.row
    runtime = _runtime_of(case)
    if runtime is None or not case.input_tokens:
        return None
    batch = case.batch if isinstance(case.batch, int) else 1
    tokens, depth = case.input_tokens, case.depth or 0
    flops, moved = runtime.prefill_terms(tokens, batch, depth)
    steps = math.ceil(batch * tokens / runtime.engine.prefill_chunk_tokens)
    share = float(runtime.pipeline_share(tokens, batch))  # layer-split GPUs in a pipeline
    fixed = steps * runtime.engine.layer_overhead_ms * 1e-3 * runtime.model.num_layers
    fixed += steps * runtime.kernels_ms * 1e-3  # kernels x the decode group's time per kernel
    fixed += steps * runtime.eager_prefill_host_s  # fit_eager_prefill_times
    streamed = runtime.score_bytes(tokens, batch, cached_tokens=depth)
    streamed += runtime.dequant_bytes(tokens, batch)
    fixed += streamed / (runtime.bandwidth_bytes_s * runtime.prefill.eta_memory) * share
    fixed += runtime.communication_s(batch * tokens)
    fixed += runtime.recurrent_prefill_s(tokens, batch) * share  # fit_recurrent_prefill_time
    measured = batch * tokens / row.value if row.metric == "prefill_tok_s" else row.value / 1e3
    memory_prior, compute_prior = _family_priors(observation)
    memory_s = moved / runtime.bandwidth_bytes_s / memory_prior * share
    compute_s = flops / runtime.peak_flops / compute_prior * share
    fixed -= _hidden_host_s(runtime, memory_s, compute_s, steps, prefill=True)
    if runtime.engine.wires_weights_per_call:  # the fit adds the weights' MB x its time per MB
        wired_mb = runtime.shape.held_weight_bytes / 1e6
        return LinearTerms(compute_s, float(steps), fixed, measured, memory_s, kernels=wired_mb)
    return LinearTerms(compute_s, float(steps), fixed, measured, memory_s)


# The linear terms of a row of each kind whose levels a parameter's trial fits refit
TERMS_BY_KIND: dict[str, Callable[[Observation], LinearTerms | None]] = {
    "decode": decode_terms,
    "prefill": prefill_terms,
}


def _gpu_balanced(pairs: Sequence[tuple[str, LinearTerms]]) -> list[LinearTerms]:
    counts: dict[str, int] = {}
    for gpu, _ in pairs:
        counts[gpu] = counts.get(gpu, 0) + 1
    return [replace(term, weight=1.0 / counts[gpu]) for gpu, term in pairs]


def fit_linear_group(
    terms: Sequence[LinearTerms], prior_eta: float, prior_overhead_ms: float, cap: bool = True
) -> tuple[float, float]:
    """(η, overhead_ms) minimising relative squared error plus the prior penalty; η ≤ 1
    when `cap` (an efficiency), unbounded otherwise (a correction factor)."""
    m0, o0 = 1.0 / prior_eta, prior_overhead_ms * 1e-3
    scale_o = max(o0, OVERHEAD_SCALE_MS * 1e-3)  # the prior allows ±100 % of itself
    a11, a12, a22 = PRIOR_ROWS / m0**2, 0.0, PRIOR_ROWS / scale_o**2
    b1, b2 = PRIOR_ROWS / m0, PRIOR_ROWS * o0 / scale_o**2
    for term in terms:
        target = term.measured_s - term.fixed_s
        weight = term.weight / term.measured_s**2
        a11 += weight * term.x_s**2
        a12 += weight * term.x_s * term.overheads
        a22 += weight * term.overheads**2
        b1 += weight * term.x_s * target
        b2 += weight * term.overheads * target
    det = a11 * a22 - a12 * a12
    slope = (b1 * a22 - a12 * b2) / det
    overhead = (a11 * b2 - a12 * b1) / det
    if overhead < 0:
        overhead, slope = 0.0, b1 / a11
    return 1.0 / (max(slope, 1.0 / MAX_NEUTRAL_ETA) if cap else max(slope, 0.05)), overhead * 1e3


def serving_terms(observation: Observation) -> LinearTerms | None:
    """Serving cycle = modelled cycle x (1/factor) + sequence-steps x per-sequence overhead."""
    case, row = observation.case, observation.row
    runtime = _runtime_of(case)
    if runtime is None or not case.output_tokens:
        return None
    inputs, outputs = case.input_tokens or 0, case.output_tokens
    stopped = early_stop(outputs, case.mean_output_tokens, case.requests)  # ended at EOS
    outputs, share = (
        (outputs, 1.0) if stopped is None else (stopped.timed_tokens, stopped.yield_share)
    )
    try:  # a llama.cpp/Ollama server runs its request slots at once
        slots = server_slots(
            runtime,
            case.engine_text,
            case.server_slots,
            inputs + outputs,
            case.kv_cache,
            case.num_ctx,
        )
    except GpuAtlasError:
        return None
    if isinstance(case.batch, int):
        try:  # requests beyond the KV pool (or the slots) wait in the engine's queue
            concurrency = running_batch(runtime, case.batch, inputs + outputs, case.kv_cache, slots)
        except GpuAtlasError:
            return None
    else:
        concurrency = runtime_max_batch(runtime, inputs + outputs, case.kv_cache)
        concurrency = concurrency if slots is None else min(concurrency, slots.slots)
    if concurrency < 1:
        return None
    try:  # a finite run: waves of equal requests, or spans of ShareGPT replies
        cycles, tokens = run_cycles(
            concurrency, case.requests or concurrency, inputs, outputs, case.lengths
        )
    except GpuAtlasError:
        return None
    cycle = sum(count * serving_cycle_s(runtime, batch, inputs, outputs) for batch, count in cycles)
    measured = tokens * share / row.value  # time of the tokens the requests made
    return LinearTerms(cycle, tokens * 1e-3, 0.0, measured, 0.0)


@dataclass(frozen=True)
class ImageTerms:
    """An image row for the grid fit: its work, measured batch seconds and family prior."""

    work: DiffusionWork
    measured_s: float
    compute_prior: float
    gpu: str
    platform: str = SHARED_HOST_PLATFORM  # whose host-time level it runs at (host_platform)


def image_terms(observation: Observation) -> ImageTerms | None:
    case, row = observation.case, observation.row
    model = as_model(case.model)
    if not isinstance(model, DiffusionArch):
        return None
    try:
        system = case_system(case)
        resolution = resolution_px(case.resolution) or model.default_resolution_px
        batch = (
            case.batch
            if isinstance(case.batch, int)
            else max_image_batch(system, model, resolution, case.weights)
        )
        work = diffusion_work(
            system,
            model,
            resolution_px=resolution,
            steps=case.steps or model.default_steps,
            batch=batch,
            cfg=None,
            weights=case.weights,
            variant=case.variant,
            engine=case.engine,
            engine_text=case.engine_text,
        )
    except GpuAtlasError:
        return None
    if row.metric == "image_s":
        measured = row.value * batch
    else:
        measured = 60.0 * batch * system.gpu_count / work.gpus_per_image / row.value
    gpu = gpu_by_id(row.gpu)
    return ImageTerms(work, measured, _family_priors(observation)[1], row.gpu, host_platform(gpu))


# Grid of the image fit: family-neutral η_c and the per-forward host time (ms).
IMAGE_ETA_GRID = np.geomspace(0.03, MAX_NEUTRAL_ETA, 70)
IMAGE_OVERHEAD_GRID_MS = np.linspace(0.0, 120.0, 121)


def fit_image_group(
    terms: Sequence[ImageTerms],
    prior_eta: float,
    prior_overhead_ms: float,
    host_ratios: Mapping[str, float] | None = None,
    replay_floors_ms: Sequence[float] | None = None,
) -> tuple[float, float]:
    """(η_c, overhead_ms) minimising the squared log error of the batch times (each GPU
    counting once) plus the prior penalty, over a grid: the forward time is a rounded max of
    GPU and host time, not linear in the two. A row on a platform with its own host-time
    level (`host_ratios`) runs at that multiple of the group's host time; a row replaying
    CUDA graphs runs at its GPU-side floor per forward instead (`replay_floors_ms`, one per
    term; DiffusionWork.forward_s)."""
    ratios = host_ratios or {}
    eta = IMAGE_ETA_GRID[:, None]
    overhead = IMAGE_OVERHEAD_GRID_MS[None, :]
    scale = max(prior_overhead_ms, OVERHEAD_SCALE_MS)
    loss = PRIOR_ROWS * (
        np.log(eta / prior_eta) ** 2 + ((overhead - prior_overhead_ms) / scale) ** 2
    )
    counts: dict[str, int] = {}
    for term in terms:
        counts[term.gpu] = counts.get(term.gpu, 0) + 1
    floors = replay_floors_ms or [0.0] * len(terms)
    for term, floor_ms in zip(terms, floors, strict=True):
        host = overhead * ratios.get(term.platform, 1.0)
        predicted = term.work.unscaled_batch_s(
            np.minimum(1.0, eta * term.compute_prior), host, floor_ms
        )
        loss = loss + np.log(predicted / term.measured_s) ** 2 / counts[term.gpu]
    best_eta, best_overhead = np.unravel_index(int(np.argmin(loss)), loss.shape)
    return float(IMAGE_ETA_GRID[best_eta]), float(IMAGE_OVERHEAD_GRID_MS[best_overhead])


@dataclass(frozen=True)
class GridRow:
    """One row of a one-constant grid fit: its GPU, its batch time at each grid value, at the
    prior's value, and as measured."""

    gpu: str
    predicted_s: Any  # numpy array over the grid
    at_prior_s: float
    measured_s: float


def shrunk_grid_choice(grid: Any, rows: Sequence[GridRow]) -> float:
    """The grid value minimising the squared log error of the rows' batch times (each GPU
    counting once) plus PRIOR_ROWS pseudo-GPUs that measured the prior's value, the prior
    costing what the value changes the rows' times, in the data's own units."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.gpu] = counts.get(row.gpu, 0) + 1
    data = np.zeros_like(grid)
    prior = np.zeros_like(grid)
    for row in rows:
        data = data + np.log(row.predicted_s / row.measured_s) ** 2 / counts[row.gpu]
        prior = prior + np.log(row.predicted_s / row.at_prior_s) ** 2 / counts[row.gpu]
    loss = data + PRIOR_ROWS * prior / max(len(counts), 1)
    return float(grid[int(np.argmin(loss))])


# Host-time ratio of a platform to the image groups' level: the grid of the fit.
HOST_RATIO_GRID = np.geomspace(0.25, 4.0, 49)


def _fit_image(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """Image groups fitted at every platform's host time (ratios 1 at first, no GPU-side
    floor under CUDA graphs) and the pipeline constants' priors, then each non-CUDA
    platform's host-time ratio on its rows at those groups, the share of the host time a
    replayed CUDA graph keeps (fit_replay_share) and the pipeline constants
    (fit_pipeline_constants, then fit_offload_share on the rows that stream offloaded
    weights), then the groups again at the fitted ratios, share and
    constants (stored with them)."""
    terms = _terms_at(items, PIPELINE_PRIORS)
    groups = _fit_image_groups(calibration, items, terms, {})
    ratios = _fit_host_ratios(groups, items, terms)
    replayed = _replayed_terms(items, terms)
    shared = _without_class_groups(groups)
    share = fit_replay_share(
        [
            (_lookup(shared, item), _replay_host_ms(shared, item, term, ratios))
            for item, term in replayed
        ]
    )
    split_pairs = _split_terms(items, terms)
    call_us = {
        engine_id: fit_split_call_host_us(
            [(_lookup(groups, item), term) for item, term in pairs], ratios
        )
        for engine_id, pairs in split_pairs.items()
    }
    terms = _with_split_call_host(items, terms, call_us)
    pipeline_rows = _pipeline_rows(shared, items, terms, ratios, share)
    constants = fit_pipeline_constants(pipeline_rows, PIPELINE_PRIORS, PRIOR_ROWS)
    constants = fit_offload_share(pipeline_rows, constants, PRIOR_ROWS)
    terms = _terms_at(items, constants, terms)
    fitted = _fit_image_groups(calibration, items, terms, ratios, share)
    if pipeline_rows:
        fitted = _with_group(
            fitted,
            PIPELINE_KEY,
            {
                "pipeline_host_ms": constants.pipeline_host_ms,
                "convolution_ratio": constants.convolution_ratio,
                "offload_share": constants.offload_share,
                "n": float(len(pipeline_rows)),
                "offload_n": float(len(offloading(pipeline_rows))),
            },
        )
    for platform, (ratio, rows) in _host_ratio_rows(ratios, items, terms).items():
        fitted = _with_group(
            fitted, host_platform_key(platform), {"host_ratio": ratio, "n": float(rows)}
        )
    if share > 0.0:
        fitted = _with_group(fitted, REPLAY_KEY, {"host_ratio": share, "n": float(len(replayed))})
    for engine_id, pairs in split_pairs.items():
        fitted = _with_group(
            fitted,
            split_key(engine_id),
            {"kernel_overhead_us": call_us[engine_id], "n": float(len(pairs))},
        )
    return fitted


# Host time per exchange call of an image split over GPUs (µs): the grid of the fit.
SPLIT_CALL_HOST_GRID_US = np.linspace(0.0, 2000.0, 201)


def _split_engine(item: Observation) -> str:
    return image_engine(item.case.engine, item.case.variant)


def _split_terms(
    items: Sequence[Observation], terms: Mapping[int, ImageTerms | None]
) -> dict[str, list[tuple[Observation, ImageTerms]]]:
    """Image rows that split one image over GPUs (exchange calls per forward), with their
    terms, by image engine."""
    found: dict[str, list[tuple[Observation, ImageTerms]]] = {}
    for item in items:
        term = terms[id(item)]
        if term is not None and term.work.exchanges > 0:
            found.setdefault(_split_engine(item), []).append((item, term))
    return found


def _with_split_call_host(
    items: Sequence[Observation],
    terms: Mapping[int, ImageTerms | None],
    call_us: Mapping[str, float],
) -> dict[int, ImageTerms | None]:
    """The terms with each split row's exchange calls at its engine's host time per call."""
    found = dict(terms)
    for item in items:
        term = terms[id(item)]
        if term is None or term.work.exchanges <= 0:
            continue
        host_s = term.work.exchanges * call_us.get(_split_engine(item), 0.0) * 1e-6
        found[id(item)] = replace(term, work=replace(term.work, exchange_host_s=host_s))
    return found


def fit_split_call_host_us(
    rows: Sequence[tuple[_Params, ImageTerms]], host_ratios: Mapping[str, float]
) -> float:
    """The host time per exchange call (µs) of rows that split one image over GPUs, added to
    each forward's host time (DiffusionWork.forward_s), minimising the squared log error of
    their batch times at their groups' values (each GPU counting once), shrunk toward 0 (the
    calls cost the host nothing beyond the block's kernels) by PRIOR_ROWS pseudo-GPUs, in the
    data's units (as fit_replay_share); 0 without rows."""
    if not rows:
        return 0.0
    found = []
    for params, term in rows:
        eta = min(1.0, params.eta_compute * params.factor * term.compute_prior)
        work = replace(term.work, exchange_host_s=0.0)
        host_ms = params.step_overhead_ms * host_ratios.get(term.platform, 1.0)
        calls_ms = term.work.exchanges * SPLIT_CALL_HOST_GRID_US * 1e-3
        predicted = work.unscaled_batch_s(eta, host_ms + calls_ms)
        at_zero = float(work.unscaled_batch_s(eta, host_ms))
        found.append(GridRow(term.gpu, predicted, at_zero, term.measured_s))
    return shrunk_grid_choice(SPLIT_CALL_HOST_GRID_US, found)


def _terms_at(
    items: Sequence[Observation],
    constants: PipelineConstants,
    terms: Mapping[int, ImageTerms | None] | None = None,
) -> dict[int, ImageTerms | None]:
    """Each image row's terms with the pipeline constants `constants` (never the packaged
    calibration's: a fold fits its own)."""
    found = terms if terms is not None else {id(item): image_terms(item) for item in items}
    return {
        key: None if term is None else replace(term, work=term.work.at_constants(constants))
        for key, term in found.items()
    }


def _pipeline_rows(
    shared: Calibration,
    items: Sequence[Observation],
    terms: Mapping[int, ImageTerms | None],
    host_ratios: Mapping[str, float],
    replay_share: float,
) -> list[PipelineRow]:
    """The image rows at the values of the levels above their hardware classes (`shared`: a
    class's own groups would absorb what the pipeline constants change), with their
    platforms' host-time ratios and replayed forwards' floors."""
    found = []
    for item in items:
        term = terms[id(item)]
        if term is None:
            continue
        params = _lookup(shared, item)
        floor_ms = replay_share * _replay_host_ms(shared, item, term, host_ratios)[1]
        found.append(
            PipelineRow(
                eta_compute=min(1.0, params.eta_compute * params.factor * term.compute_prior),
                overhead_ms=params.step_overhead_ms * host_ratios.get(term.platform, 1.0),
                replay_floor_ms=floor_ms,
                work=term.work,
                measured_s=term.measured_s,
                gpu=term.gpu,
            )
        )
    return found


def _fit_image_groups(
    calibration: Calibration,
    items: Sequence[Observation],
    terms: Mapping[int, ImageTerms | None],
    host_ratios: Mapping[str, float],
    replay_share: float = 0.0,
) -> Calibration:
    for level in range(LEVELS):
        for key, group in _grouped(items, level).items():
            pairs = [(i, t) for i in group if (t := terms[id(i)]) is not None]
            if not pairs:
                continue
            found = [term for _, term in pairs]
            floors = [
                replay_share * _replay_host_ms(calibration, item, term, host_ratios)[1]
                for item, term in pairs
            ]
            prior = _lookup(calibration, group[0])
            eta, overhead = fit_image_group(
                found,
                prior.eta_compute * prior.factor,
                prior.step_overhead_ms,
                host_ratios,
                floors,
            )
            calibration = _with_group(
                calibration,
                key,
                {"eta_compute": eta, "step_overhead_ms": overhead, "n": float(len(found))},
            )
    return calibration


def _platform_terms(
    items: Sequence[Observation], terms: Mapping[int, ImageTerms | None]
) -> dict[str, list[tuple[Observation, ImageTerms]]]:
    """Image rows with their terms, by platform, the shared CUDA platform left out."""
    found: dict[str, list[tuple[Observation, ImageTerms]]] = {}
    for item in items:
        term = terms[id(item)]
        if term is not None and term.platform != SHARED_HOST_PLATFORM:
            found.setdefault(term.platform, []).append((item, term))
    return found


def _fit_host_ratios(
    calibration: Calibration,
    items: Sequence[Observation],
    terms: Mapping[int, ImageTerms | None],
) -> dict[str, float]:
    """Each non-CUDA platform's host-time ratio: its rows at the fitted η and host time of
    the levels above their hardware classes (what a GPU of the platform without rows of its
    own is predicted at; a class's own groups would absorb the platform's difference), each
    GPU counting once, plus the prior toward 1, over a grid."""
    shared = _without_class_groups(calibration)
    return {
        platform: fit_host_ratio([(_lookup(shared, item), term) for item, term in pairs])
        for platform, pairs in _platform_terms(items, terms).items()
    }


def _without_class_groups(calibration: Calibration) -> Calibration:
    """The calibration without the image groups of single hardware classes ('ada/consumer')."""
    kept = {
        key: values
        for key, values in calibration.groups.items()
        if not (key.startswith("image|") and "/" in key.split("|")[2])
    }
    return replace(calibration, groups=kept)


def fit_host_ratio(rows: Sequence[tuple[_Params, ImageTerms]]) -> float:
    """The host-time ratio minimising the squared log error of these rows' batch times at
    their groups' values (each GPU counting once), shrunk toward 1 by PRIOR_ROWS pseudo-GPUs
    that measured the groups' own host time (as `_shrunk_log_ratio` shrinks the ratio fits):
    the prior costs what the ratio changes the rows' times, in the data's own units."""
    found = []
    for params, term in rows:
        eta = min(1.0, params.eta_compute * params.factor * term.compute_prior)
        predicted = term.work.unscaled_batch_s(eta, params.step_overhead_ms * HOST_RATIO_GRID)
        at_one = float(term.work.unscaled_batch_s(eta, params.step_overhead_ms))
        found.append(GridRow(term.gpu, predicted, at_one, term.measured_s))
    return shrunk_grid_choice(HOST_RATIO_GRID, found)


# Share of the host time per forward a replayed CUDA graph keeps: the grid of the fit.
REPLAY_SHARE_GRID = np.linspace(0.0, 1.0, 41)


def _replayed_terms(
    items: Sequence[Observation], terms: Mapping[int, ImageTerms | None]
) -> list[tuple[Observation, ImageTerms]]:
    """Image rows whose forwards replay a captured CUDA graph, with their terms."""
    return [
        (item, term)
        for item in items
        if (term := terms[id(item)]) is not None and term.work.graph_replay
    ]


def _replay_host_ms(
    calibration: Calibration,
    item: Observation,
    term: ImageTerms,
    host_ratios: Mapping[str, float],
) -> tuple[ImageTerms, float]:
    """The row with eager diffusers' host time per forward on its class and platform (what a
    replayed forward keeps a share of; 0 for a row that does not replay graphs)."""
    if not term.work.graph_replay:
        return term, 0.0
    eager = calibration.neutral_params(
        item.kind, prior_for(item), EAGER_ENGINE, item.family, item.precision_class
    )
    return term, eager["step_overhead_ms"] * host_ratios.get(term.platform, 1.0)


def fit_replay_share(rows: Sequence[tuple[_Params, tuple[ImageTerms, float]]]) -> float:
    """The share of eager's host time per forward (each row's, with it) a replayed CUDA graph
    keeps on the GPU (DiffusionWork.forward_s) minimising the squared log error of these rows'
    batch times at their groups' values (each GPU counting once), shrunk toward 0 (a graph
    takes the whole host time away) by PRIOR_ROWS pseudo-GPUs that measured no floor, in the
    data's units (as fit_host_ratio): the levels above the hardware classes are the ones to
    evaluate at, since a class fitted on replayed rows alone would absorb the floor."""
    found = []
    for params, (term, eager_host_ms) in rows:
        eta = min(1.0, params.eta_compute * params.factor * term.compute_prior)
        host = params.step_overhead_ms
        predicted = term.work.unscaled_batch_s(eta, host, REPLAY_SHARE_GRID * eager_host_ms)
        at_zero = float(term.work.unscaled_batch_s(eta, host, 0.0))
        found.append(GridRow(term.gpu, predicted, at_zero, term.measured_s))
    return shrunk_grid_choice(REPLAY_SHARE_GRID, found)


def _host_ratio_rows(
    ratios: Mapping[str, float],
    items: Sequence[Observation],
    terms: Mapping[int, ImageTerms | None],
) -> dict[str, tuple[float, int]]:
    counts = {platform: len(pairs) for platform, pairs in _platform_terms(items, terms).items()}
    return {platform: (ratio, counts[platform]) for platform, ratio in ratios.items()}


_EXTRACTORS = {
    "decode": decode_terms,
    "prefill": prefill_terms,
    "serving": serving_terms,
}


def _fit_linear(
    calibration: Calibration,
    items: Sequence[Observation],
    kind: str,
    known: Mapping[int, LinearTerms | None] | None = None,
) -> Calibration:
    """Fit decode (η_m, overhead) on memory-bound rows, prefill (η_c, overhead) on
    compute-bound rows, or serving (factor, per-sequence µs), group by group from the
    general to the specific. `known`: terms already extracted under this calibration
    (by id of the item), reused instead of extracted again."""
    found_before = known or {}
    with using_calibration(replace(calibration, version=f"{calibration.version}/{kind}")):
        terms = {
            id(item): found_before[id(item)]
            if id(item) in found_before
            else _EXTRACTORS[kind](item)
            for item in items
        }
    for level in range(LEVELS):
        for key, group in _grouped(items, level).items():
            found = _gpu_balanced(
                [(i.row.gpu, t) for i in group if (t := terms[id(i)]) and t.x_s > t.other_s]
            )
            if not found:
                continue
            values = _linear_values(kind, found, _lookup(calibration, group[0]), group[0])
            calibration = _with_group(calibration, key, values)
    return calibration


def _linear_values(
    kind: str, found: Sequence[LinearTerms], prior: _Params, observation: Observation
) -> dict[str, float]:
    if kind == "serving":
        prior_us = prior.sequence_overhead_us
        if prior_us < 0:
            prior_us = resolve_engine(observation.engine).sequence_overhead_us
        factor, sequence_us = fit_linear_group(found, prior.factor, prior_us, cap=False)
        return {"factor": factor, "sequence_overhead_us": sequence_us, "n": float(len(found))}
    eta_name = "eta_memory" if kind == "decode" else "eta_compute"
    prior_eta = prior.eta_memory if kind == "decode" else prior.eta_compute
    if kind == "image":
        prior_eta *= prior.factor  # a factor stretches time like a lower efficiency
    if kind == "decode" and any(term.kernels > 0.0 for term in found):
        return _kernel_overhead_values(found, prior_eta, prior, observation)
    if kind == "prefill" and any(term.kernels > 0.0 for term in found):
        return _wire_values(found, prior_eta, prior, observation)
    eta, overhead = fit_linear_group(found, prior_eta, prior.step_overhead_ms)
    return {eta_name: eta, "step_overhead_ms": overhead, "n": float(len(found))}


def _kernel_overhead_values(
    found: Sequence[LinearTerms], prior_eta: float, prior: _Params, observation: Observation
) -> dict[str, float]:
    """A decode group of an engine that pays a time per kernel (kernel_fit): η_m, the step
    overhead and the time per kernel, whose prior is the parent group's value, else the
    engine profile's."""
    prior_us = prior.kernel_overhead_us
    if prior_us < 0:
        prior_us = resolve_engine(_profile_engine(observation)).kernel_overhead_us
    priors = (prior_eta, prior.step_overhead_ms, prior_us)
    eta, overhead, kernel_us = fit_kernel_overhead_group(
        found, priors, PRIOR_ROWS, OVERHEAD_SCALE_MS, MAX_NEUTRAL_ETA
    )
    return {
        "eta_memory": eta,
        "step_overhead_ms": overhead,
        "kernel_overhead_us": kernel_us,
        "n": float(len(found)),
    }


def _wire_values(
    found: Sequence[LinearTerms], prior_eta: float, prior: _Params, observation: Observation
) -> dict[str, float]:
    """A prefill group of an engine that wires its weights per call (engines.toml
    wires_weights_per_call): η_c, the step overhead and the wiring time per GB of weights,
    whose prior is the parent group's value, else the engine profile's (kernel_fit's grid)."""
    prior_ms = prior.wire_ms_per_gb
    if prior_ms < 0:
        prior_ms = resolve_engine(_profile_engine(observation)).wire_ms_per_gb
    priors = (prior_eta, prior.step_overhead_ms, prior_ms)
    eta, overhead, ms_per_gb = fit_kernel_overhead_group(
        found, priors, PRIOR_ROWS, OVERHEAD_SCALE_MS, MAX_NEUTRAL_ETA, WIRE_MS_PER_GB_SCALE
    )
    return {
        "eta_compute": eta,
        "step_overhead_ms": overhead,
        "wire_ms_per_gb": ms_per_gb,
        "n": float(len(found)),
    }


def prior_for(observation: Observation) -> tuple[float, float, float]:
    """The prior (η_memory, η_compute, overhead_ms) the predictors use for this kind of case."""
    if observation.kind == "image":
        return DIFFUSION_PRIORS[observation.precision_class]
    if observation.kind == "train":
        return (1.0, MFU_PRIOR, 0.0)
    if observation.kind == "serving":
        return (1.0, 1.0, 0.0)
    try:
        engine = resolve_engine(observation.engine)
    except GpuAtlasError:
        return (0.7, 0.45, 4.0)
    return (engine.eta_memory, engine.eta_compute, engine.step_overhead_ms)


def _lookup(calibration: Calibration, observation: Observation) -> _Params:
    """The family-neutral values in force for this observation (what a fit refines)."""
    values = calibration.neutral_params(
        observation.kind,
        prior_for(observation),
        observation.engine,
        observation.family,
        observation.precision_class,
    )
    return _Params(
        values["eta_memory"],
        values["eta_compute"],
        values["step_overhead_ms"],
        values["factor"],
        values["sequence_overhead_us"],
        values["kernel_overhead_us"],
        values["wire_ms_per_gb"],
    )


def _family_priors(observation: Observation) -> tuple[float, float]:
    return current_calibration().family_priors(observation.family)


@dataclass(frozen=True)
class _Params:
    eta_memory: float
    eta_compute: float
    step_overhead_ms: float
    factor: float
    sequence_overhead_us: float
    kernel_overhead_us: float = -1.0  # negative: the engine profile's prior (decode groups)
    wire_ms_per_gb: float = -1.0  # negative: the engine profile's prior (prefill groups)


# ----- ratio fits -------------------------------------------------------------------------------


def _shrunk_log_ratio(errors_by_gpu: dict[str, list[float]]) -> float:
    """log(measured/predicted): the median over GPUs of each GPU's median error (each GPU
    counts once), shrunk toward 0 by PRIOR_ROWS pseudo-GPUs."""
    if not errors_by_gpu:
        return 0.0
    center = statistics.median(statistics.median(errors) for errors in errors_by_gpu.values())
    count = len(errors_by_gpu)
    return -center * count / (count + PRIOR_ROWS)


def _ratio_fit(
    calibration: Calibration,
    items: Sequence[Observation],
    version: str,
    update: Callable[[_Params, float], dict[str, float]],
) -> Calibration:
    for level in range(LEVELS):
        for key, group in _grouped(items, level).items():
            with using_calibration(replace(calibration, version=f"{version}/{key}/{level}")):
                errors: dict[str, list[float]] = {}
                for item in group:
                    if (value := predicted_value(item)) is not None:
                        errors.setdefault(item.row.gpu, []).append(log_error(item, value))
            if not errors:
                continue
            correction = math.exp(_shrunk_log_ratio(errors))
            values = (
                {"eta_compute_ratio": correction}
                if _refines_base(key)
                else update(_lookup(calibration, group[0]), correction)
            )
            values["n"] = float(sum(len(found) for found in errors.values()))
            calibration = _with_group(calibration, key, values)
    return calibration


def _refines_base(key: str) -> bool:
    """A key of an engine that refines a base engine's levels (a training framework with
    `levels_from`): its fit is a ratio to the base's level on each row's own hardware, not an
    absolute efficiency that would replace the base's per-hardware levels everywhere."""
    kind, engine = key.split("|")[:2]
    return kind == "train" and base_engine(engine) is not None


def _eta_compute_update(params: _Params, correction: float) -> dict[str, float]:
    return {"eta_compute": min(params.eta_compute * correction, MAX_NEUTRAL_ETA)}


# ----- decode: the mat-vec ALU issue share per backend ------------------------------------------


def fit_decode(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """Decode levels (η_m, overhead per group) with the HBM single-stream share and then
    the mat-vec ALU shares and the time per MoE layer fitted first (each fit starts without
    the MoE layers' time of the calibration it refines)."""
    calibration = replace(calibration, moe_layer={}, moe_layer_eras={})
    calibration = fit_hbm_single_stream_share(calibration, items)
    calibration = fit_matvec_alu_shares(calibration, items)
    calibration = fit_moe_layer_time(calibration, items)
    return _fit_linear(calibration, items, "decode")


# ----- decode: the HBM single-stream share of engines' own mat-vec kernels ----------------------


def fit_hbm_single_stream_share(
    calibration: Calibration, items: Sequence[Observation]
) -> Calibration:
    """The share of the fitted decode memory level a one-sequence step of an engine's own
    mat-vec kernels reaches on an HBM GPU (`LlmRuntime.single_stream_memory_share`), fitted
    on the decode rows that pay it (`single_stream_rows`). For each share of
    SINGLE_STREAM_GRID the decode levels are refitted on all `items` and each such row is
    scored by its absolute log error (each GPU counts once); the share of least summed score
    (ties: the one nearest the prior) is shrunk toward model_constants
    llm.hbm_single_stream_memory_share in log space by PRIOR_ROWS pseudo-GPUs."""
    calibration = replace(calibration, hbm_single_stream={})
    paying = single_stream_rows(items)
    if not paying:
        return calibration
    version = calibration.version
    trials = [
        replace(
            calibration, version=f"{version}/stream-{share:.4f}", hbm_single_stream={"share": share}
        )
        for share in SINGLE_STREAM_GRID
    ]
    scores = _trial_scores(calibration, items, paying, trials)
    gpus = float(len({item.row.gpu for item in paying}))
    best = _best_on_grid(SINGLE_STREAM_GRID, scores, HBM_SINGLE_STREAM_SHARE_PRIOR)
    share = _shrunk_share(best, gpus, HBM_SINGLE_STREAM_SHARE_PRIOR)
    return replace(calibration, hbm_single_stream={"share": share, "n": gpus})


def _trial_scores(
    calibration: Calibration,
    items: Sequence[Observation],
    paying: Sequence[Observation],
    trials: Sequence[Calibration],
    kind: str = "decode",
) -> list[float]:
    """Each trial calibration's score on the rows that pay its parameter (`_refitted_score`:
    the levels of `kind` (decode or prefill) refitted on all `items`, each GPU counting once),
    the other rows' terms taken once under `calibration`."""
    terms_of = TERMS_BY_KIND[kind]
    with using_calibration(replace(calibration, version=f"{calibration.version}/trial-terms")):
        terms = {id(item): terms_of(item) for item in items}
    weights = _gpu_weights(paying)
    return [_refitted_score(trial, (items, terms), paying, weights, kind) for trial in trials]


def single_stream_rows(items: Sequence[Observation]) -> list[Observation]:
    """The decode rows of one sequence whose engine runs its own mat-vec kernels on an HBM
    GPU (`pays_single_stream_share`)."""
    found = []
    for item in items:
        batch = item.case.batch if isinstance(item.case.batch, int) else 1
        runtime = _runtime_of(item.case) if batch <= 1 else None
        if runtime is not None and pays_single_stream_share(runtime.engine, runtime.system.gpu):
            found.append(item)
    return found


def _gpu_weights(items: Sequence[Observation]) -> dict[int, float]:
    """1 / the rows of each row's GPU: each GPU counts once."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.row.gpu] = counts.get(item.row.gpu, 0) + 1
    return {id(item): 1.0 / counts[item.row.gpu] for item in items}


def _refitted_score(
    trial: Calibration,
    fit_on: tuple[Sequence[Observation], Mapping[int, LinearTerms | None]],
    scored: Sequence[Observation],
    weights: Mapping[int, float],
    kind: str = "decode",
) -> float:
    """The GPU-weighted absolute log errors of the scored rows under `trial` with the levels of
    `kind` refitted on `fit_on` (the rows and their terms under the parent calibration; the
    scored rows' terms are extracted again under `trial`)."""
    items, terms = fit_on
    version = trial.version
    terms_of = TERMS_BY_KIND[kind]
    with using_calibration(replace(trial, version=f"{version}/terms")):
        known = {**terms, **{id(item): terms_of(item) for item in scored}}
    fitted = replace(_fit_linear(trial, items, kind, known), version=f"{version}/scored")
    return _weighted_log_error(fitted, scored, weights)


def _best_on_grid(grid: Sequence[float], scores: Sequence[float], parent: float) -> float:
    """The grid value of least score; among equal scores, the one nearest `parent`."""
    least = min(scores)
    tied = [s for s, score in zip(grid, scores, strict=True) if score <= least]
    return min(tied, key=lambda share: abs(math.log(share / parent)))


# ----- decode: the fixed time per MoE layer -----------------------------------------------------


def fit_moe_layer_time(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """The time a decode step pays per MoE layer on engine profiles with engines.toml
    moe_layer_time (`LlmRuntime.moe_layers_s`), fitted for each moe_layer_era on the decode
    rows of its profiles that pay it (`moe_layer_rows`). For each time of MOE_LAYER_US_GRID the
    decode levels are refitted on all `items` and each such row is scored by its absolute log
    error (each GPU counts once); the time of least summed score (ties: the one nearest the
    prior) is shrunk toward model_constants llm.moe_layer_us_prior by PRIOR_ROWS pseudo-GPUs.
    An era without paying rows keeps the prior."""
    version = calibration.version
    calibration = replace(calibration, moe_layer={}, moe_layer_eras={})
    paying = moe_layer_rows(items)
    for era in sorted({_moe_layer_era(item) for item in paying}):
        # its own version: the terms of the eras fitted before it are extracted anew
        calibration = replace(calibration, version=f"{version}/moe-layer-era-{era or 'unfused'}")
        of_era = [item for item in paying if _moe_layer_era(item) == era]
        trials = [
            _with_moe_layer_time(calibration, era, {"us": us}, f"/{us:.1f}")
            for us in MOE_LAYER_US_GRID
        ]
        scores = _trial_scores(calibration, items, of_era, trials)
        fitted = _shrunk_layer_time(MOE_LAYER_US_GRID, scores, of_era)
        calibration = _with_moe_layer_time(calibration, era, fitted, "")
    return replace(calibration, version=version)


def _moe_layer_era(item: Observation) -> str:
    runtime = _runtime_of(item.case)
    return runtime.engine.moe_layer_era if runtime is not None else ""


def _with_moe_layer_time(
    calibration: Calibration, era: str, time: dict[str, float], version_tail: str
) -> Calibration:
    """The calibration with this era's time per MoE layer ('' = the builds before the fused
    chain) and `version_tail` added to its version (a trial's own cache key)."""
    version = f"{calibration.version}{version_tail}"
    if not era:
        return replace(calibration, version=version, moe_layer=time)
    eras = {**calibration.moe_layer_eras, era: time}
    return replace(calibration, version=version, moe_layer_eras=eras)


def _shrunk_layer_time(
    grid: Sequence[float],
    scores: Sequence[float],
    paying: Sequence[Observation],
    prior: float = MOE_LAYER_US_PRIOR,
) -> dict[str, float]:
    """{"us": the grid time of least score (ties: the one nearest the prior) shrunk toward
    `prior` (model_constants llm.moe_layer_us_prior unless given) by PRIOR_ROWS pseudo-GPUs,
    "n": the paying rows' GPUs}."""
    least = min(scores)
    tied = [us for us, score in zip(grid, scores, strict=True) if score <= least]
    best = min(tied, key=lambda us: abs(us - prior))
    gpus = float(len({item.row.gpu for item in paying}))
    weight = gpus / (gpus + PRIOR_ROWS)
    return {"us": weight * best + (1.0 - weight) * prior, "n": gpus}


def moe_layer_rows(items: Sequence[Observation]) -> list[Observation]:
    """The decode rows of MoE models on an engine profile that pays a time per MoE layer and
    calibrates it (engines.toml fits_moe_layer_time: Ollama pays llama.cpp's time only)."""
    found = []
    for item in items:
        runtime = _runtime_of(item.case)
        if runtime is None or not runtime.shape.moe_layers:
            continue
        if runtime.engine.moe_layer_time and runtime.engine.fits_moe_layer_time:
            found.append(item)
    return found


# ----- prefill: the time per prompt token and recurrent layer ----------------------------------


def fit_prefill(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """Prefill levels with the time per prompt token and recurrent layer and the eager
    prefill's host time per layer fitted first (the fit starts without the times of the
    calibration it refines), then the routed-expert GEMM shares against those levels."""
    calibration = fit_recurrent_prefill_time(calibration, items)
    calibration = fit_eager_prefill_times(calibration, items)
    calibration = _fit_linear(calibration, items, "prefill")
    return fit_routed_expert_shares(calibration, items)


def fit_routed_expert_shares(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """The share of the dense prompt-GEMM rate the routed-expert GEMMs of an engine that runs
    one GEMM per touched expert reach, per backend (`step_times.routed_expert_share`), fitted
    on the prefill rows of MoE models on such engines (`routed_expert_keys`), against the
    prefill levels `calibration` holds (fitted on every row, these included, at the prior: the
    levels and the dense rows' predictions stay as they were). For each share of
    ROUTED_SHARE_GRID each paying row is scored by its absolute log error (each GPU counts once
    per backend). The share pooled over every backend minimises the summed score; each
    backend's its own rows' score (ties: the share nearest the parent); each is shrunk toward
    its parent in log space by PRIOR_ROWS pseudo-GPUs: the pooled share toward model_constants
    llm.routed_expert_gemm_share_prior, a backend's toward the pooled one. (Refitting the
    levels with each trial share instead lets the dense rows of the same groups absorb the
    change: leave-one-source-out prefill went from 15.6 % to 16.8 % that way, to 15.2 % this
    way.)"""
    calibration = replace(calibration, routed_expert_shares={})
    keys = routed_expert_keys(items)
    scored = [item for item in items if id(item) in keys]
    if not scored:
        return calibration
    weights = _backend_gpu_weights(scored, keys)
    scores = [
        _routed_share_scores(calibration, scored, keys, weights, share)
        for share in ROUTED_SHARE_GRID
    ]
    gpus = {
        key: float(len({i.row.gpu for i in scored if keys[id(i)] == key}))
        for key in set(keys.values())
    }
    pooled_scores = [sum(score.values()) for score in scores]
    best = _best_on_grid(ROUTED_SHARE_GRID, pooled_scores, ROUTED_EXPERT_SHARE_PRIOR)
    total = sum(gpus.values())
    pooled = _shrunk_share(best, total, ROUTED_EXPERT_SHARE_PRIOR)
    shares = {ALL_BACKENDS: {"share": pooled, "n": total}}
    for key in sorted(gpus):
        best = _best_on_grid(ROUTED_SHARE_GRID, [score.get(key, 0.0) for score in scores], pooled)
        shares[key] = {"share": _shrunk_share(best, gpus[key], pooled), "n": gpus[key]}
    return replace(calibration, routed_expert_shares=shares)


def routed_expert_keys(items: Sequence[Observation]) -> dict[int, str]:
    """id(item) -> the backend of each prefill row of a MoE model on an engine that runs one
    GEMM per touched expert (engines.toml expert_pass_tokens)."""
    found: dict[int, str] = {}
    for item in items:
        runtime = _runtime_of(item.case)
        if runtime is None or not runtime.shape.moe_layers:
            continue
        if runtime.engine.expert_pass_tokens > 0.0:
            found[id(item)] = profile_backend(runtime.engine, runtime.system.gpu)
    return found


def _routed_share_scores(
    calibration: Calibration,
    scored: Sequence[Observation],
    keys: Mapping[int, str],
    weights: Mapping[int, float],
    share: float,
) -> dict[str, float]:
    """Per backend, the GPU-weighted absolute log errors of the scored rows when every
    backend's routed-expert share is `share`, at the prefill levels fitted on every row."""
    version = f"{calibration.version}/routed-{share:.4f}"
    trial = replace(
        calibration, version=version, routed_expert_shares={ALL_BACKENDS: {"share": share}}
    )
    return _keyed_log_errors(trial, scored, keys, weights)


def fit_eager_prefill_times(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """The host time a prefill step pays per layer on the engine profiles of each engines.toml
    eager_prefill_group (`LlmRuntime.eager_prefill_host_s`), fitted on the prefill rows of
    those profiles (`eager_prefill_rows`): for each time of EAGER_PREFILL_US_GRID the prefill
    levels are refitted on all `items` and the group's rows are scored by their absolute log
    error (each GPU counts once); the time of least summed score (ties: the one nearest the
    prior) is shrunk toward model_constants llm.eager_prefill_layer_us_prior by PRIOR_ROWS
    pseudo-GPUs. A group without rows keeps the prior."""
    calibration = replace(calibration, eager_prefill={})
    version = calibration.version
    for group, paying in sorted(eager_prefill_rows(items).items()):
        trials = [
            replace(
                calibration,
                version=f"{version}/eager-prefill-{group}-{us:.0f}",
                eager_prefill={**calibration.eager_prefill, group: {"us": us}},
            )
            for us in EAGER_PREFILL_US_GRID
        ]
        scores = _trial_scores(calibration, items, paying, trials, "prefill")
        fitted = _shrunk_layer_time(
            EAGER_PREFILL_US_GRID, scores, paying, EAGER_PREFILL_LAYER_US_PRIOR
        )
        calibration = replace(
            calibration,
            version=f"{version}/eager-prefill-{group}",
            eager_prefill={**calibration.eager_prefill, group: fitted},
        )
    return replace(calibration, version=version)


def eager_prefill_rows(items: Sequence[Observation]) -> dict[str, list[Observation]]:
    """The prefill rows by the eager_prefill_group of their engine profile."""
    found: dict[str, list[Observation]] = {}
    for item in items:
        runtime = _runtime_of(item.case)
        if runtime is not None and runtime.engine.eager_prefill_group:
            found.setdefault(runtime.engine.eager_prefill_group, []).append(item)
    return found


def fit_recurrent_prefill_time(
    calibration: Calibration, items: Sequence[Observation]
) -> Calibration:
    """The time each prompt token pays per recurrent layer on engine profiles with engines.toml
    recurrent_prefill_time (`LlmRuntime.recurrent_prefill_s`), fitted on the prefill rows that
    pay it (`recurrent_prefill_rows`). For each time of RECURRENT_PREFILL_US_GRID the prefill
    levels are refitted on all `items` and each such row is scored by its absolute log error
    (each GPU counts once); the time of least summed score (ties: the one nearest the prior) is
    shrunk toward model_constants llm.recurrent_prefill_us_prior by PRIOR_ROWS pseudo-GPUs."""
    calibration = replace(calibration, recurrent_prefill={})
    paying = recurrent_prefill_rows(items)
    if not paying:
        return calibration
    version = calibration.version
    grid = RECURRENT_PREFILL_US_GRID
    trials = [
        replace(calibration, version=f"{version}/recurrent-{us:.1f}", recurrent_prefill={"us": us})
        for us in grid
    ]
    scores = _trial_scores(calibration, items, paying, trials, "prefill")
    fitted = _shrunk_layer_time(grid, scores, paying, RECURRENT_PREFILL_US_PRIOR)
    return replace(calibration, recurrent_prefill=fitted)


def recurrent_prefill_rows(items: Sequence[Observation]) -> list[Observation]:
    """The prefill rows of models with recurrent layers on an engine profile that pays a time
    per prompt token and recurrent layer and calibrates it (engines.toml
    fits_recurrent_prefill_time: Ollama pays llama.cpp's time only)."""
    found = []
    for item in items:
        runtime = _runtime_of(item.case)
        if (
            runtime is not None
            and runtime.engine.recurrent_prefill_time
            and runtime.engine.fits_recurrent_prefill_time
            and runtime.model.linear_attention_layers
        ):
            found.append(item)
    return found


def fit_fused_moe_times(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """The time a decode step pays per MoE layer on the engine profiles of each engines.toml
    fused_moe_group (`LlmRuntime.moe_layers_s`), fitted on the serving rows of MoE models on
    them (`fused_moe_rows`): for each time of FUSED_MOE_US_GRID the serving levels are
    refitted on all `items` and the group's rows are scored by their absolute log error (each
    GPU counts once); the time of least summed score (ties: the one nearest the prior) is
    shrunk toward model_constants llm.moe_layer_us_prior by PRIOR_ROWS pseudo-GPUs."""
    calibration = replace(calibration, fused_moe={})
    for group, paying in sorted(fused_moe_rows(items).items()):
        weights = _gpu_weights(paying)
        scores = []
        for us in FUSED_MOE_US_GRID:
            times = {**calibration.fused_moe, group: {"us": us}}
            trial = replace(
                calibration, version=f"{calibration.version}/fused-moe-{group}-{us:.0f}"
            )
            trial = replace(trial, fused_moe=times)
            scores.append(_serving_score(trial, items, paying, weights))
        fitted = _shrunk_layer_time(FUSED_MOE_US_GRID, scores, paying)
        calibration = replace(calibration, fused_moe={**calibration.fused_moe, group: fitted})
    return calibration


def fit_upcast_expert_share(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """The share of its grouped expert-GEMM rate an engine reaches where it upcasts the expert
    weights inside the GEMM (`LlmRuntime.expert_gemm_share`), fitted on the serving rows that
    pay it (`upcast_expert_rows`): for each share of UPCAST_SHARE_GRID the serving levels are
    refitted on all `items` and the paying rows are scored by their absolute log error (each
    GPU counts once); the share of least summed score (ties: the one nearest the prior) is
    shrunk toward model_constants llm.upcast_expert_gemm_share_prior in log space by
    PRIOR_ROWS pseudo-GPUs."""
    calibration = replace(calibration, upcast_expert={})
    paying = upcast_expert_rows(items)
    if not paying:
        return calibration
    weights = _gpu_weights(paying)
    scores = []
    for share in UPCAST_SHARE_GRID:
        trial = replace(
            calibration,
            version=f"{calibration.version}/upcast-expert-{share:.4f}",
            upcast_expert={"share": share},
        )
        scores.append(_serving_score(trial, items, paying, weights))
    prior = UPCAST_EXPERT_SHARE_PRIOR
    gpus = float(len({item.row.gpu for item in paying}))
    best = _best_on_grid(UPCAST_SHARE_GRID, scores, prior)
    fitted = {"share": _shrunk_share(best, gpus, prior), "n": gpus}
    return replace(calibration, upcast_expert=fitted)


def upcast_expert_rows(items: Sequence[Observation]) -> list[Observation]:
    """The serving rows of MoE models whose engine profile upcasts their format's expert
    weights on their GPU (step_times.pays_upcast_expert_gemms)."""
    found = []
    for item in items:
        runtime = _runtime_of(item.case)
        if runtime is None or not runtime.shape.moe_layers:
            continue
        if pays_upcast_expert_gemms(runtime.engine, runtime.system.gpu, runtime.weight_format):
            found.append(item)
    return found


def _weighted_log_error(
    fitted: Calibration, scored: Sequence[Observation], weights: Mapping[int, float]
) -> float:
    """The summed absolute log errors of the scored rows under `fitted`, each weighted."""
    total = 0.0
    with using_calibration(fitted):
        for item in scored:
            value = predicted_value(item)
            error = abs(log_error(item, value)) if value is not None else 0.0
            total += weights[id(item)] * error
    return total


def _serving_score(
    trial: Calibration,
    items: Sequence[Observation],
    scored: Sequence[Observation],
    weights: Mapping[int, float],
) -> float:
    """The GPU-weighted absolute log errors of the scored rows under `trial` with the
    serving levels refitted on `items`."""
    fitted = replace(_fit_linear(trial, items, "serving"), version=f"{trial.version}/scored")
    return _weighted_log_error(fitted, scored, weights)


def fused_moe_rows(items: Sequence[Observation]) -> dict[str, list[Observation]]:
    """The serving rows of MoE models by the fused_moe_group of their engine profile."""
    found: dict[str, list[Observation]] = {}
    for item in items:
        runtime = _runtime_of(item.case)
        if runtime is not None and runtime.engine.fused_moe_group and runtime.shape.moe_layers:
            found.setdefault(runtime.engine.fused_moe_group, []).append(item)
    return found


def fit_matvec_alu_shares(calibration: Calibration, items: Sequence[Observation]) -> Calibration:
    """The share of its ALU issue rate llama.cpp's quantised mat-vec reaches, per backend and
    per build era of a backend (`LlmRuntime.matvec_alu_bytes`; engines.toml
    matvec_share_era), fitted on the decode rows whose steps can pay it (`matvec_alu_backend`;
    keys with a row in a format that has an ALU count). Only llama.cpp's own rows are scored
    (SHARE_ENGINE): other engines' rows pay the share but do not inform it. For each share of
    MATVEC_SHARE_GRID the decode levels are refitted on all `items` and each scored row is
    scored by its absolute log error (each GPU counts once per key). The share pooled over
    every backend minimises the summed score of the backends' keys, each key its own rows'
    score (ties: the share nearest the parent); like every group, each is then shrunk toward
    its parent in log space by PRIOR_ROWS pseudo-GPUs: the pooled share toward
    model_constants llm.matvec_alu_issue_share_prior, a backend's toward the pooled one, an
    era's toward its backend's."""
    calibration = replace(calibration, matvec_alu_shares={})
    paying, informing = _matvec_share_keys(items)
    scored = [item for item in items if id(item) in informing]
    if not scored:
        return calibration
    keys = {id(item): paying[id(item)] for item in scored}
    weights = _backend_gpu_weights(scored, keys)
    with using_calibration(replace(calibration, version=f"{calibration.version}/no-matvec")):
        fixed = {id(item): decode_terms(item) for item in items if id(item) not in paying}
    scores = [
        _share_scores(calibration, (items, fixed), scored, keys, weights, share)
        for share in MATVEC_SHARE_GRID
    ]
    gpus: dict[str, float] = {}
    for key in set(keys.values()):
        gpus[key] = float(len({i.row.gpu for i in scored if keys[id(i)] == key}))
    backends = sorted(key for key in gpus if "/" not in key)
    total = sum(gpus[key] for key in backends)
    pooled_scores = [sum(score.get(key, 0.0) for key in backends) for score in scores]
    best = _best_share(pooled_scores, MATVEC_ALU_SHARE_PRIOR)
    pooled = _shrunk_share(best, total, MATVEC_ALU_SHARE_PRIOR)
    shares = {ALL_BACKENDS: {"share": pooled, "n": total}}
    eras = sorted(key for key in gpus if "/" in key)
    for key in [*backends, *eras]:
        parent_record = shares.get(key.split("/")[0], shares[ALL_BACKENDS])
        parent = parent_record["share"]
        best = _best_share([score.get(key, 0.0) for score in scores], parent)
        shares[key] = {"share": _shrunk_share(best, gpus[key], parent), "n": gpus[key]}
    return replace(calibration, matvec_alu_shares=shares)


def _matvec_share_keys(items: Sequence[Observation]) -> tuple[dict[int, str], set[int]]:
    """id(item) -> the share key (backend and build era, `share_key`) of each decode row that
    can pay the mat-vec ALU term, on the keys where at least one row's format has an ALU count
    (formats.toml); and the ids of those rows that inform the share when it is fitted: rows of
    SHARE_ENGINE's own profiles."""
    found: dict[int, str] = {}
    own: set[int] = set()
    counted: set[str] = set()
    for item in items:
        runtime = _runtime_of(item.case)
        if runtime is None:
            continue
        backend = matvec_alu_backend(runtime.engine, runtime.system.gpu)
        if backend is None:
            continue
        key = share_key(backend, runtime.engine.matvec_share_era)
        found[id(item)] = key
        if runtime.engine.engine == SHARE_ENGINE:
            own.add(id(item))
        if runtime.matvec_alu_ops_per_weight > 0.0:
            counted.add(key)
    paying = {item: key for item, key in found.items() if key in counted}
    return paying, own & paying.keys()


def _backend_gpu_weights(
    scored: Sequence[Observation], keys: Mapping[int, str]
) -> dict[int, float]:
    """1 / the rows of each row's GPU under its share key: each GPU counts once per key."""
    counts: dict[tuple[str, str], int] = {}
    for item in scored:
        key = (keys[id(item)], item.row.gpu)
        counts[key] = counts.get(key, 0) + 1
    return {id(item): 1.0 / counts[(keys[id(item)], item.row.gpu)] for item in scored}


def _share_scores(
    calibration: Calibration,
    fit_on: tuple[Sequence[Observation], Mapping[int, LinearTerms | None]],
    scored: Sequence[Observation],
    keys: Mapping[int, str],
    weights: Mapping[int, float],
    share: float,
) -> dict[str, float]:
    """Per share key, the GPU-weighted absolute log errors of the scored rows when every
    key's share is `share` and the decode levels are refitted with it on `fit_on`
    (the decode rows and the terms of those whose terms do not depend on the share)."""
    items, fixed = fit_on
    version = f"{calibration.version}/matvec-{share:.4f}"
    trial_shares = {ALL_BACKENDS: {"share": share}}
    trial = replace(calibration, version=version, matvec_alu_shares=trial_shares)
    fitted = replace(_fit_linear(trial, items, "decode", fixed), version=f"{version}/scored")
    return _keyed_log_errors(fitted, scored, keys, weights)


def _keyed_log_errors(
    calibration: Calibration,
    scored: Sequence[Observation],
    keys: Mapping[int, str],
    weights: Mapping[int, float],
) -> dict[str, float]:
    """Per key, the weighted absolute log errors of the scored rows under `calibration` (a row
    the model cannot predict scores 0)."""
    totals: dict[str, float] = {}
    with using_calibration(calibration):
        for item in scored:
            value = predicted_value(item)
            error = abs(log_error(item, value)) if value is not None else 0.0
            key = keys[id(item)]
            totals[key] = totals.get(key, 0.0) + weights[id(item)] * error
    return totals


def _best_share(scores: Sequence[float], parent: float) -> float:
    """The mat-vec grid share of least score; among equal scores, the one nearest `parent`."""
    return _best_on_grid(MATVEC_SHARE_GRID, scores, parent)


def _shrunk_share(share: float, gpus: float, parent: float) -> float:
    """`share` moved toward `parent` in log space by PRIOR_ROWS pseudo-GPUs."""
    weight = gpus / (gpus + PRIOR_ROWS)
    return math.exp(weight * math.log(share) + (1.0 - weight) * math.log(parent))


def fit_calibration(rows: Iterable[MeasuredRow], base: Calibration, version: str) -> Calibration:
    """A calibration fitted on `rows`, starting from `base`'s priors (its groups are dropped)."""
    items = observations(rows)
    calibration = replace(
        base,
        version=version,
        groups={},
        errors={},
        covered={},
        fused_moe={},
        upcast_expert={},
        routed_expert_shares={},  # the prefill levels are fitted at the prior (fit_prefill)
    )
    by_kind = {kind: [i for i in items if i.kind == kind] for kind in set(METRIC_KINDS.values())}
    calibration = fit_decode(calibration, by_kind["decode"])
    calibration = fit_prefill(calibration, by_kind["prefill"])
    calibration = fit_fused_moe_times(calibration, by_kind["serving"])
    calibration = fit_upcast_expert_share(calibration, by_kind["serving"])
    calibration = _fit_linear(calibration, by_kind["serving"], "serving")
    calibration = _fit_image(calibration, by_kind["image"])
    calibration = _fit_training(calibration, by_kind["train"], version)
    return replace(calibration, covered=coverage(items))


def _fit_training(
    calibration: Calibration, items: Sequence[Observation], version: str
) -> Calibration:
    """Training levels (without the rows whose optimizer steps on the host), then each
    framework's host-time factor and CPU-Adam factor against those levels (training_host.py),
    then the levels again from scratch with the factors in force: a launch-bound small step
    or a host optimizer step then no longer pulls its framework's efficiency down."""
    on_gpu = [item for item in items if not _optimizer_on_host(item)]
    first = _ratio_fit(calibration, on_gpu, version, _eta_compute_update)
    fits = (
        (HOST_FIELD, FACTOR_RANGE, PRIOR_ROWS),
        (ADAM_FIELD, ADAM_FACTOR_RANGE, ADAM_PRIOR_ROWS),
    )
    for field, factor_range, prior_rows in fits:
        factors = fit_host_factors(
            first,
            items,
            framework_of=lambda item: item.engine,
            gpu_of=lambda item: item.row.gpu,
            error_of=_error_or_none,
            prior_rows=prior_rows,
            field=field,
            factor_range=factor_range,
        )
        for framework, factor in factors.items():
            calibration = _with_group(calibration, f"train|{framework}|*|*", {field: factor})
            first = _with_group(first, f"train|{framework}|*|*", {field: factor})
    return _ratio_fit(calibration, items, version, _eta_compute_update)


def _optimizer_on_host(observation: Observation) -> bool:
    """Whether the row's variant states its optimizer stepped by the host (ZeRO-Offload)."""
    return variant_optimizer_on_host(variant_parts(observation.row.variant))


def _error_or_none(observation: Observation) -> float | None:
    value = predicted_value(observation)
    return None if value is None else log_error(observation, value)


def coverage(items: Sequence[Observation]) -> dict[str, frozenset[str]]:
    """What the fitted rows measured, per kind: GPUs, engines (row and profile ids), model
    families, and each engine's precision classes (`engine|class`, on the profile that ran the
    row's model and the one whose levels it fitted: an engine whose rows are all 4-bit has not
    measured its 16-bit level)."""
    covered: dict[str, set[str]] = {}
    for item in items:
        covered.setdefault(f"{item.kind}:gpu", set()).add(item.row.gpu)
        engines = {item.engine, _profile_engine(item)}
        covered.setdefault(f"{item.kind}:engine", set()).update(engines)
        covered.setdefault(f"{item.kind}:model_family", set()).add(item.model_family)
        ran = {item.engine, _model_engine(item.case.engine, item.model_family)}
        covered.setdefault(f"{item.kind}:engine_precision", set()).update(
            engine_precision(engine, item.precision_class) for engine in ran
        )
    return {key: frozenset(values) for key, values in covered.items()}
