"""Training and multi-GPU scaling of one system: fine-tuning memory per method, time and cost
for a token budget, gradient-sync overhead of the system (or of 2, 4 and 8 of its GPU), and
sharded inference of a large model. One set of settings throughout: what fits is what is timed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.numbers import format_given
from gpuatlas.performance.api import (
    inference_memory,
    predict_llm,
    predict_training,
    training_memory,
)
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.predictions import TrainingMemoryFit, TrainingPrediction
from gpuatlas.performance.training.memory import METHODS
from gpuatlas.report.document import Provenance, Quantity
from gpuatlas.report.focus import attempt, attempt_or_reason, missing
from gpuatlas.report.quantities import computed, estimate_quantity, price_quantity
from gpuatlas.report.rental_prices import price_words

MemoryOf = Callable[[str, str], TrainingMemoryFit | None]  # (model, method) → one system's

TOKEN_BUDGET = 1e9
LARGE_MODEL = "llama-3-70b"
SCALING_COUNTS = (2, 4, 8)
SEQUENCE_TOKENS = 2048
MICRO_BATCH = 1
CHECKPOINTING = True
SETTINGS_NOTE = (
    f"{SEQUENCE_TOKENS:,}-token sequences, micro-batch {MICRO_BATCH}, activation "
    "checkpointing, BF16 weights and AdamW states; multi-GPU systems run data-parallel "
    "replicas (DDP) when the model fits each GPU whole, else shard with FSDP"
)


@dataclass(frozen=True)
class FineTuningBudget:
    """Time and cost of fine-tuning for the token budget with one method; `hours` is missing
    with the reason when it does not fit or is unsupported."""

    method: str
    hours: Quantity
    cost_usd: Quantity | None  # None: no rental price to cost it with


@dataclass(frozen=True)
class GradientSync:
    """Gradient-sync overhead of full fine-tuning on one system (the side or a scaling one)."""

    system: str  # the system's label
    link: str
    allreduce_ms: Quantity
    step_ms: Quantity
    exposed_pct: Quantity
    memory: str  # 'fits (N GB/GPU)', or why not and what would fit


@dataclass(frozen=True)
class ShardedInference:
    """Batch-1 inference of the large model over the fewest of the side's GPU that hold it."""

    weights: str
    smallest_system: str  # its label, or why there is none
    decode_tok_s: Quantity
    ttft_ms: Quantity


def _memory(system: GpuSystem, model: str, method: str, sharding: str) -> TrainingMemoryFit:
    return training_memory(
        system,
        model,
        method,
        sequence_tokens=SEQUENCE_TOKENS,
        micro_batch=MICRO_BATCH,
        checkpointing=CHECKPOINTING,
        sharding=sharding,
    )


def _sharding(system: GpuSystem, model: str, method: str) -> str:
    """How the report runs `method` on the system: one GPU alone; several as data-parallel
    replicas (DDP, no sharding) when a whole replica fits each GPU, as practitioners run LoRA
    of a model that fits; FSDP only when it must (gathering a sharded model every step costs
    link time that replicas do not pay)."""
    if system.gpu_count == 1:
        return "none"
    replica = attempt(lambda: _memory(system, model, method, "none"))
    return "none" if replica is not None and replica.fits else "fsdp"


def memory_fit(system: GpuSystem, model: str, method: str) -> TrainingMemoryFit | None:
    """Per-GPU training memory in the report's settings (None when unsupported)."""
    return attempt(lambda: _memory(system, model, method, _sharding(system, model, method)))


def training_run(system: GpuSystem, model: str, method: str) -> TrainingPrediction | None:
    """Training speed in the report's settings (None when it does not fit or is unsupported)."""
    return attempt(
        lambda: predict_training(
            system,
            model,
            tokens=TOKEN_BUDGET,
            method=method,
            recompute=CHECKPOINTING,
            sequence_tokens=SEQUENCE_TOKENS,
            micro_batch=MICRO_BATCH,
            sharding=_sharding(system, model, method),
        )
    )


def first_fitting_method(memory: MemoryOf, model: str) -> str | None:
    """The most complete method that fits, else None."""
    for method in METHODS:
        fit = memory(model, method)
        if fit is not None and fit.fits:
            return method
    return None


def budget(
    system: GpuSystem, model: str, method: str, memory: MemoryOf, price: PriceSnapshot | None
) -> FineTuningBudget:
    """The system's fine-tuning time and cost for the token budget with `method`."""
    fit = memory(model, method)
    if fit is None or not fit.fits:
        reason = f"does not fit ({fit.total_gb:.0f} GB/GPU)" if fit else "unsupported"
        return FineTuningBudget(method, missing(reason), missing(""))
    run = training_run(system, model, method)
    if run is None:
        return FineTuningBudget(method, missing("unsupported"), missing(""))
    hours = estimate_quantity(run.time_for_budget_h)
    cost = None
    if price is not None and hours.value is not None:
        per_hour = price.usd_per_gpu_hour * system.gpu_count
        value = computed(
            hours.value * per_hour,
            "USD",
            f"hours × $/GPU-hour × GPUs ({price_words(price)})",
            hours,
            price_quantity(price),
        )
        cost = Quantity(
            value.value,
            "USD",
            value.provenance,
            (hours.low or 0) * per_hour,
            (hours.high or 0) * per_hour,
        )
    return FineTuningBudget(method, hours, cost)


def scaling_systems(system: GpuSystem) -> list[GpuSystem]:
    """The system itself when it has several GPUs, else 2, 4 and 8 of its GPU."""
    if system.gpu_count > 1:
        return [system]
    return [build_system(system.gpu, count) for count in SCALING_COUNTS]


def _link_text(system: GpuSystem) -> str:
    link = system.link or (system.network if system.nodes > 1 else None)
    if link is None:
        return "—"
    name = link.name.split(",")[0].replace(" between machines", " network")
    return f"{name}, {format_given(link.per_direction_gb_s)} GB/s/direction"


def gradient_sync(system: GpuSystem, model: str, memory: MemoryOf) -> GradientSync:
    """Gradient-sync overhead of full fine-tuning on `system` (`memory`: its training memory)."""
    link = _link_text(system)
    fit = memory(model, "full")
    if fit is None or not fit.fits:
        return GradientSync(
            system.label,
            link,
            missing("does not fit"),
            missing(""),
            missing(""),
            _does_not_fit_text(model, fit, memory),
        )
    run = training_run(system, model, "full")
    if run is None:
        return GradientSync(
            system.label, link, missing("unsupported"), missing(""), missing(""), ""
        )
    provenance = Provenance(
        kind="modelled",
        source="gpuatlas.training/1 ring all-reduce",
        model=run.step_s.model,
        calibration_version=run.step_s.calibration_version,
    )
    allreduce = Quantity(run.allreduce_s * 1000, "ms", provenance)
    step = estimate_quantity(run.step_s, unit="ms", factor=1000.0)
    exposed = Quantity(run.exposed_allreduce_s / run.step_s.value * 100, "%", provenance)
    return GradientSync(
        system.label, link, allreduce, step, exposed, f"fits ({fit.total_gb:.0f} GB/GPU)"
    )


def _does_not_fit_text(model: str, fit: TrainingMemoryFit | None, memory: MemoryOf) -> str:
    if fit is None:
        return "unsupported"
    lighter = [m for m in METHODS[1:] if (f := memory(model, m)) is not None and f.fits]
    instead = f"; fits: {lighter[0]}" if lighter else ""
    return f"does not fit ({fit.total_gb:.0f} GB/GPU){instead}"


def sharded_inference(system: GpuSystem, weights: str, engine: str) -> ShardedInference:
    """Sharded inference (batch 1) of the large model over the fewest of the system's GPU that
    hold it."""
    fit = attempt(lambda: inference_memory(system, LARGE_MODEL, weights, context_tokens=2048))
    if fit is None:
        return ShardedInference(weights, "unsupported", missing(""), missing(""))
    count = fit.gpu_count if fit.fits else fit.min_gpus_needed
    if count is None:
        return ShardedInference(weights, "does not fit on 8 GPUs", missing(""), missing(""))
    sharded = build_system(system.gpu, max(count, system.gpu_count))
    run = attempt_or_reason(
        lambda: predict_llm(
            sharded, LARGE_MODEL, weights, engine, batch=1, input_tokens=1024, output_tokens=256
        )
    )
    if isinstance(run, str):
        return ShardedInference(weights, sharded.label, missing(run), missing(run))
    return ShardedInference(
        weights, sharded.label, estimate_quantity(run.decode_tok_s), estimate_quantity(run.ttft_ms)
    )


def int4_weights(engine: str, system: GpuSystem) -> str:
    """AWQ where the side's engine loads it, else llama.cpp's Q4_K_M (a Mac, a Radeon)."""
    found = attempt(lambda: engine_profile(engine, system.gpu))
    return "awq-int4" if found is None or "awq-int4" in found.formats else "q4_k_m"
