"""LLM speed and serving of one system for the workload focus: single-user decode and TTFT,
serving throughput and layout, the serving scenario at two traffic levels, the cost of each
rental offer, and the serving curve with the published runs on the same system."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from gpuatlas.catalog.formats import find_format
from gpuatlas.catalog.measurements import MeasuredRow, all_measurements
from gpuatlas.catalog.model_weights import first_format_that_fits, formats_worth_considering
from gpuatlas.catalog.models import resolve_model
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.economics.full_load import full_load_serving, takes_num_ctx
from gpuatlas.economics.serving_candidate import Slo, Workload, assess, fewest_replicas
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.api import (
    engine_offload,
    engine_split_host_need_gb,
    predict_llm,
)
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.engine_specs import engine_text_profile
from gpuatlas.performance.llm.host_memory import host_ram_of, with_host_ram
from gpuatlas.performance.llm.predict import HOST_MEMORY_BOUND
from gpuatlas.performance.llm.serving_curve import ServingCurve, serving_curve
from gpuatlas.performance.platform_engines import PlatformEngine
from gpuatlas.report.document import Provenance, Quantity
from gpuatlas.report.focus import (
    OUTPUT_TOKENS,
    Focus,
    attempt,
    attempt_or_reason,
    missing,
    native_weights_on,
)
from gpuatlas.report.profiles.fit import TWO_BIT_GGUF, FitResult
from gpuatlas.report.quantities import computed, estimate_quantity, price_quantity
from gpuatlas.report.rental_prices import RENTAL_TIERS, hostable_offers, offer_label, price_words

TRAFFIC_LEVELS_RPS = (10.0, 100.0)
SERVING_INPUT_TOKENS = 512
P95_TTFT_TARGET_MS = 1000.0
P95_TPOT_TARGET_MS = 100.0
CURVE_INPUT_TOKENS = 1024
CURVE_OUTPUT_TOKENS = 1024


FitOf = Callable[[str, str, str | None], FitResult | None]  # (model, weights, engine) → fit


@dataclass(frozen=True)
class SideRun:
    """What a side's LLM figures are for: the focus (model, weights) and the engine; `instead`
    says why it is not the request's format on the platform's usual engine ('' when it is)."""

    focus: Focus
    engine: PlatformEngine
    instead: str = ""


def side_run(system: GpuSystem, focus: Focus, usual: PlatformEngine, fit: FitOf) -> SideRun:
    """The request's format on the side's usual engine; but when the user named neither engine
    nor format and it does not fit the GPUs, what users run there instead: the first format
    that engine loads that fits (`fitting_format`: FP8, AWQ … as a deployment weighs them), else
    the platform's offload engine (llama.cpp, which splits layers between GPU and CPU; a 70B
    model on one 24 GB card) with the GGUF type it takes by default; so a side is never empty
    for want of a format that fits."""
    if usual.user_named or focus.weights_given:
        return SideRun(focus, usual)
    if _holds_a_sequence(fit(focus.model, focus.weights, None)):
        return SideRun(focus, usual)
    fitting = fitting_format(
        focus.model,
        focus.weights,
        usual.engine,
        lambda format_id: _holds_a_sequence(fit(focus.model, format_id, None)),
    )
    if fitting is not None:
        instead = (
            f"it does not fit {system.label} on {usual.label}; shown instead: {fitting}, the "
            f"first format {usual.label} loads that fits (--weights chooses another)"
        )
        return SideRun(replace(focus, weights=fitting), usual, instead)
    offload = usual.offload
    if offload is None:
        return SideRun(focus, usual)  # the section says that no format fits
    smallest = _smallest_format(engine_text_profile(usual.engine).formats)
    choice = native_weights_on(focus.model, offload.engine)
    instead = (
        f"no format {usual.label} loads fits {system.label} (not even {smallest}, its "
        f"smallest); shown instead: {choice.label} on {offload.label}, what users run there "
        f"(weights: {choice.reason})"
    )
    return SideRun(replace(focus, weights=choice.format_id), offload, instead)


def fitting_format(
    model: str, current: str, engine: str, fits: Callable[[str], bool]
) -> str | None:
    """The first format worth considering (FP8, AWQ … as plan weighs them), else the engine's
    most precise format (GGUF Q8_0 before Q4_K_M on llama.cpp), other than `current`, that
    `fits` (at one 2K-token stream, as the VRAM-fit table counts it)."""
    engine_formats = engine_text_profile(engine).formats
    considered = formats_worth_considering(native_weights_on(model), engine_formats)
    by_precision = sorted(engine_formats, key=_bits_per_weight, reverse=True)  # llama.cpp: Q8_0…
    return first_format_that_fits([*considered, *by_precision], fits, besides=current)


def holds_a_sequence(fit: FitResult | None) -> bool:
    """Whether a fit holds the weights and one 2K-token sequence."""
    return _holds_a_sequence(fit)


def _bits_per_weight(format_id: str) -> float:
    found = find_format(format_id)
    return found.model_bits_per_weight if found is not None else 0.0


def _holds_a_sequence(fit: FitResult | None) -> bool:
    return fit is not None and fit.fits and fit.streams_2k >= 1


def _smallest_format(formats: tuple[str, ...]) -> str | None:
    known = [(found.model_bits_per_weight, f) for f in formats if (found := find_format(f))]
    return min(known)[1] if known else None


@dataclass(frozen=True)
class SideSpeed:
    decode_tok_s: Quantity
    ttft_ms: Quantity
    serving_tok_s: Quantity
    serving_layout: str = ""  # "4 replicas of 1 GPU each", "one replica over 2 GPUs (…)"
    engine: str = ""  # the engine's label: "vLLM", "llama.cpp (Metal)"
    replica_gpus: int = 0  # GPUs per replica in the serving layout (0: the whole system)
    offload: str = ""  # llama.cpp/Ollama's own GPU/CPU split when one sequence does not fit
    weights: str = ""  # the format id the figures are for


@dataclass(frozen=True)
class ReplicaRun:
    """The fewest replicas that meet the latency targets, with what the simulation saw."""

    replicas: str  # '2 × RTX 4090'
    p95_ttft_ms: Quantity
    p95_tpot_ms: Quantity
    utilization_pct: Quantity
    usd_per_1k_requests: Quantity | None  # None: no rental price


@dataclass(frozen=True)
class ServingAtTraffic:
    """The serving scenario at one request rate: a replica run, or why there is none."""

    rps: float
    run: ReplicaRun | str


@dataclass(frozen=True)
class OfferCost:
    """One rental or spot offer for the system and what serving costs on it."""

    offer: str  # 'RunPod (community, 2026-09-25)'
    usd_per_hour: Quantity  # the whole system's
    usd_per_million_tokens: Quantity
    usd_per_1k_requests: Quantity


def compute_speed(system: GpuSystem, focus: Focus, engine: PlatformEngine) -> SideSpeed:
    """Decode, TTFT and serving throughput of one system for the focus."""
    single = attempt_or_reason(
        lambda: predict_llm(
            system,
            focus.model,
            focus.weights,
            engine.engine,
            batch=1,
            input_tokens=focus.prompt_tokens,
            output_tokens=OUTPUT_TOKENS,
            num_ctx=focus.num_ctx if takes_num_ctx(engine.engine) else None,
        )
    )
    serving = attempt_or_reason(
        lambda: full_load_serving(
            system,
            focus.model,
            focus.weights,
            engine.engine,
            input_tokens=SERVING_INPUT_TOKENS,
            output_tokens=OUTPUT_TOKENS,
            num_ctx=focus.num_ctx,
            mean_output_tokens=focus.mean_output_tokens,
        )
    )
    offload = ""
    if isinstance(single, str):
        decode, ttft = missing(single), missing(single)
    else:
        decode, ttft = estimate_quantity(single.decode_tok_s), estimate_quantity(single.ttft_ms)
        if single.bound == HOST_MEMORY_BOUND and single.notes:
            offload = single.notes[-1]  # the split, as predict llm says it
    if offload:  # the engine's own CPU split serves one request at a time (as `cost`, `plan`)
        throughput, layout, group = decode, SPLIT_LAYOUT, system.gpu_count
    elif isinstance(serving, str):
        throughput, layout, group = missing(serving), "", system.gpu_count
    else:
        throughput, layout = estimate_quantity(serving.output_tok_s), serving.layout.description
        group = serving.layout.tensor_parallel
    return SideSpeed(decode, ttft, throughput, layout, engine.label, group, offload, focus.weights)


SPLIT_LAYOUT = "one request at a time, partly on the CPU (the engine's own GPU/CPU split)"


def replica_group(system: GpuSystem, speed: SideSpeed) -> GpuSystem | None:
    """The serving layout's replica (e.g. one RTX 4090 of a 4x RTX 4090 system serving an 8B
    model), when smaller than the whole system."""
    size = speed.replica_gpus
    if not 0 < size < system.gpu_count:
        return None
    return build_system(system.gpu, size, system.network.id if system.network else None)


def calibration_version() -> str:
    return str(getattr(current_calibration(), "version", "unknown"))


def serving_at(
    system: GpuSystem,
    rps: float,
    focus: Focus,
    engine: str,
    group: GpuSystem | None,
    price: PriceSnapshot | None,
) -> ServingAtTraffic:
    """The fewest replicas that meet the latency targets at `rps` (of the serving layout's
    group when those meet them), with p95 latencies, utilisation and $/1k requests."""
    workload = Workload(
        focus.model,
        focus.weights,
        rps,
        SERVING_INPUT_TOKENS,
        OUTPUT_TOKENS,
        engine=engine,
        num_ctx=focus.num_ctx if takes_num_ctx(engine) else None,
    ).stopping_early(focus.mean_output_tokens)
    slo = Slo(p95_ttft_ms=P95_TTFT_TARGET_MS, p95_tpot_ms=P95_TPOT_TARGET_MS)
    found = fewest_replicas(assess(system, workload, slo), workload, slo)
    if group is not None:  # replicas of the serving layout's group, when they meet the SLOs
        in_groups = fewest_replicas(assess(group, workload, slo), workload, slo)
        if in_groups.run is not None and in_groups.status == "ok":
            found, system = in_groups, group
    if found.run is None or found.status != "ok":
        return ServingAtTraffic(rps, f"{found.status}: {found.reason}")
    run = found.run
    provenance = Provenance(
        kind="modelled",
        source="gpuatlas serving simulation",
        model="gpuatlas.serving-sim/1",
        calibration_version=calibration_version(),
    )
    replicas = Quantity(float(run.replicas), "", provenance)
    ttft = Quantity(run.latency.p95_ttft_ms, "ms", provenance)
    tpot = Quantity(run.latency.p95_tpot_ms, "ms", provenance)
    util = Quantity(run.utilization * 100, "%", provenance)
    cost = None
    if price is not None:
        hourly = price.usd_per_gpu_hour * system.gpu_count * run.replicas
        cost = computed(
            hourly / (rps * 3600) * 1000,
            "USD",
            f"replicas × GPUs × $/GPU-hour ÷ (req/s × 3600) × 1000, {price_words(price)}",
            replicas,
            price_quantity(price),
        )
    return ServingAtTraffic(
        rps, ReplicaRun(f"{run.replicas} × {system.label}", ttft, tpot, util, cost)
    )


def offer_costs(
    system: GpuSystem, speed: SideSpeed, focus: Focus, provider: str | None
) -> tuple[OfferCost, ...]:
    """Each rental and spot offer for the system with its cost per 1M output tokens and per
    1k requests (of the output tokens each generates: `Focus.output_per_request`) at the
    system's own modelled throughput."""
    offers = [s for s in hostable_offers(system) if s.tier in (*RENTAL_TIERS, "spot")]
    if provider:
        offers = [s for s in offers if s.provider.lower() == provider.lower()] or offers
    costs = []
    throughput = speed.serving_tok_s
    for offer in offers:
        hourly = price_quantity(offer, offer.usd_per_gpu_hour * system.gpu_count)
        per_million = per_million_tokens(hourly, throughput)
        per_thousand_requests = _scaled(per_million, focus.output_per_request / 1e3, "USD")
        costs.append(
            OfferCost(
                offer_label(offer),
                hourly,
                per_million,
                per_thousand_requests,
            )
        )
    return tuple(costs)


def per_million_tokens(hourly: Quantity, throughput: Quantity) -> Quantity:
    """$ per 1M output tokens at the system's `hourly` price (its offer's provider, source
    and date in the provenance) and its output tok/s (with range)."""
    if throughput.value is None or hourly.value is None:
        return missing("no throughput" if hourly.value is not None else "no price")
    factor = hourly.value / 3600 * 1e6
    low = factor / throughput.high if throughput.high else None
    high = factor / throughput.low if throughput.low else None
    quantity = computed(
        factor / throughput.value,
        "USD",
        "$/hour ÷ (output tok/s × 3600) × 1e6, own modelled throughput",
        hourly,
        throughput,
    )
    return Quantity(quantity.value, "USD", quantity.provenance, low, high)


def _scaled(quantity: Quantity, factor: float, unit: str) -> Quantity:
    if quantity.value is None:
        return quantity
    low = quantity.low * factor if quantity.low is not None else None
    high = quantity.high * factor if quantity.high is not None else None
    return Quantity(quantity.value * factor, unit, quantity.provenance, low, high)


def compute_curve(system: GpuSystem, focus: Focus, engine: str) -> ServingCurve | str:
    """The system's modelled serving curve, or the reason there is none (does not fit,
    unsupported)."""
    try:
        return serving_curve(
            system,
            focus.model,
            focus.weights,
            engine,
            input_tokens=CURVE_INPUT_TOKENS,
            output_tokens=CURVE_OUTPUT_TOKENS,
        )
    except GpuAtlasError as error:
        return str(error)


def measured_serving_points(system: GpuSystem, model: str) -> tuple[MeasuredRow, ...]:
    """Published serving runs of the focus model on this very system (same GPU and count) at a
    stated concurrency: the points drawn over the modelled curve."""
    wanted = _model_id(model)
    return tuple(
        row
        for row in all_measurements()
        if row.metric == "serving_output_tok_s"
        and isinstance(row.batch, int)
        and row.batch > 0
        and row.gpu == system.gpu.id
        and row.gpu_count == system.gpu_count
        and _model_id(row.model) == wanted
    )


def _model_id(name: str) -> str | None:
    try:
        return resolve_model(name, allow_hub=False).id
    except GpuAtlasError:
        return None


@dataclass(frozen=True)
class CpuSplitRun:
    """A model that does not fit the GPUs, run by llama.cpp/Ollama with some layers in host
    memory (their own split: the most layers that fit on the GPU): where it runs and how fast."""

    engine: str  # the engine's label: "llama.cpp"
    weights: str  # the GGUF type the engine takes by default
    gpu_layers: int
    total_layers: int
    cpu_weights_gb: float
    host_bandwidth_gb_s: float  # as predict llm assumes it (dual-channel DDR5 on a desktop)
    decode_tok_s: Quantity
    host_ram_needed_gb: int = 0  # more RAM than the assumed machine has (0: it has enough)
    host_ram_assumed_gb: float = 0.0


def split_engine(usual: PlatformEngine) -> PlatformEngine | None:
    """The engine that splits a model between GPU and CPU on this platform: the usual one when
    it is llama.cpp/Ollama, else the platform's offload engine (None: none, e.g. a Mac)."""
    if takes_num_ctx(usual.engine):
        return usual
    return usual.offload


def cpu_split_run(
    system: GpuSystem, model: str, usual: PlatformEngine, prompt_tokens: int
) -> CpuSplitRun | None:
    """`model` in the split engine's default GGUF type with the layers that do not fit in host
    memory, and its decode rate at batch 1 (predict llm's own split, so the same figures as
    `gpuatlas predict`); on a machine with the RAM the split needs when the assumed one has
    less (said in host_ram_needed_gb); None when no engine splits here or no split is needed."""
    engine = split_engine(usual)
    if engine is None:
        return None
    weights = native_weights_on(model, engine.engine).format_id
    context_tokens = prompt_tokens + OUTPUT_TOKENS
    assumed_gb = host_ram_of(system).memory_gb
    need_gb = attempt(
        lambda: engine_split_host_need_gb(
            system, model, weights, context_tokens=context_tokens, engine=engine.engine
        )
    )
    needed_gb = math.ceil(need_gb) if need_gb is not None and need_gb > assumed_gb else 0
    system = with_host_ram(system, needed_gb or None)
    split = attempt(
        lambda: engine_offload(system, model, weights, engine.engine, context_tokens=context_tokens)
    )
    single = attempt(
        lambda: predict_llm(
            system,
            model,
            weights,
            engine.engine,
            batch=1,
            input_tokens=prompt_tokens,
            output_tokens=OUTPUT_TOKENS,
        )
    )
    if split is None or split.experts_on_cpu or single is None:
        return None
    return CpuSplitRun(
        engine.label,
        weights,
        split.gpu_layers,
        split.total_layers,
        split.cpu_weights_gb,
        split.host_bandwidth_gb_s,
        estimate_quantity(single.decode_tok_s),
        needed_gb,
        assumed_gb,
    )


def two_bit_decode(
    system: GpuSystem, model: str, engine: PlatformEngine, prompt_tokens: int
) -> Quantity | None:
    """predict llm's decode rate at batch 1 of `model` in llama.cpp's 2-bit IQ2_XXS
    (`fit.TWO_BIT_GGUF`) on `engine` (the one that splits a model here: `split_engine`), one
    request of `prompt_tokens`, whole on the system's GPUs; None where it does not run so."""
    single = attempt(
        lambda: predict_llm(
            system,
            model,
            TWO_BIT_GGUF,
            engine.engine,
            batch=1,
            input_tokens=prompt_tokens,
            output_tokens=OUTPUT_TOKENS,
        )
    )
    return estimate_quantity(single.decode_tok_s) if single is not None else None
