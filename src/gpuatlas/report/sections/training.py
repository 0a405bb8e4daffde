"""Training and multi-GPU scaling: fine-tuning fit (full/LoRA/QLoRA), time and cost for a
token budget, gradient-sync overhead over each system's links, sharded-inference overhead."""

from __future__ import annotations

from typing import Any

from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Provenance, Quantity, Section, Statement, Table, Text
from gpuatlas.report.quantities import computed, estimate_quantity, price_quantity
from gpuatlas.report.sections.focus import (
    attempt,
    attempt_or_reason,
    engine_of,
    focus_model,
    missing,
)
from gpuatlas.report.sections.pricing import price_words, reference_price
from gpuatlas.report.side_cache import side_cached

METHODS = ("full", "lora", "qlora")
TOKEN_BUDGET = 1e9
LARGE_MODEL = "llama-3-70b"
SCALING_COUNTS = (2, 4, 8)
# One set of settings for the fit, time and sync tables: what fits is what is timed.
SEQUENCE_TOKENS = 2048
MICRO_BATCH = 1
CHECKPOINTING = True
SETTINGS_NOTE = (f"{SEQUENCE_TOKENS:,}-token sequences, micro-batch {MICRO_BATCH}, activation "
                 "checkpointing, BF16 weights and AdamW states; multi-GPU systems shard with "
                 "FSDP")


def _sharding(system: GpuSystem) -> str:
    return "fsdp" if system.gpu_count > 1 else "none"


def _memory(system: GpuSystem, model: str, method: str) -> Any:
    return side_cached(
        "training-memory", system, (model, method), lambda: _memory_fit(system, model, method)
    )


def _memory_fit(system: GpuSystem, model: str, method: str) -> Any:
    from gpuatlas.performance.api import training_memory

    return attempt(
        lambda: training_memory(
            system,
            model,
            method,
            sequence_tokens=SEQUENCE_TOKENS,
            micro_batch=MICRO_BATCH,
            checkpointing=CHECKPOINTING,
            sharding=_sharding(system),
        )
    )


def _run(system: GpuSystem, model: str, method: str) -> Any:
    """Training speed in the report's settings (None when it does not fit or is unsupported)."""
    from gpuatlas.performance.api import predict_training

    return attempt(
        lambda: predict_training(
            system,
            model,
            tokens=TOKEN_BUDGET,
            method=method,
            recompute=CHECKPOINTING,
            sequence_tokens=SEQUENCE_TOKENS,
            micro_batch=MICRO_BATCH,
            sharding=_sharding(system),
        )
    )


def _fit_text(fit: Any) -> str:
    if fit is None:
        return "unsupported"
    verdict = "fits" if fit.fits else "does not fit"
    return f"{verdict} ({fit.total_gb:.0f} GB/GPU)"


def fit_table(context: ReportContext) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for model in dict.fromkeys((focus_model(context), LARGE_MODEL)):
        for method in METHODS:
            rows.append(
                (
                    Text(model),
                    Text(method),
                    Text(_fit_text(_memory(context.a, model, method))),
                    Text(_fit_text(_memory(context.b, model, method))),
                )
            )
    notes = (f"Per-GPU memory: {SETTINGS_NOTE} (the settings of every table here).",)
    return Table(
        "training-fit", "Fine-tuning fit", ("Model", "Method", "A", "B"), tuple(rows), notes
    )


def _first_fitting_method(system: GpuSystem, model: str) -> str | None:
    for method in METHODS:
        fit = _memory(system, model, method)
        if fit is not None and fit.fits:
            return method
    return None


def common_method(systems: list[GpuSystem], model: str) -> str | None:
    """The most complete method that fits on every system (like for like), else None."""
    for method in METHODS:
        fits = [_memory(system, model, method) for system in systems]
        if all(fit is not None and fit.fits for fit in fits):
            return method
    return None


def budget_row(
    label: str, system: GpuSystem, context: ReportContext, method: str
) -> tuple[Cell, ...]:
    """One side's fine-tuning time and cost with `method`. Every method's row is computed and
    cached together (per system, focus model and provider), so the row does not depend on
    which pair chose the method: a side shown against another GPU fills the cache for all."""
    key = (label, focus_model(context), context.options.provider)
    rows = side_cached(
        "training-budget", system, key,
        lambda: {each: _budget_row(label, system, context, each) for each in METHODS},
    )
    return rows[method]


def _budget_row(
    label: str, system: GpuSystem, context: ReportContext, method: str
) -> tuple[Cell, ...]:
    fit = _memory(system, focus_model(context), method)
    if fit is None or not fit.fits:
        reason = f"does not fit ({fit.total_gb:.0f} GB/GPU)" if fit else "unsupported"
        return (Text(label), Text(method), missing(reason), missing(""))
    run = _run(system, focus_model(context), method)
    if run is None:
        return (Text(label), Text(method), missing("unsupported"), missing(""))
    hours = estimate_quantity(run.time_for_budget_h)
    price = reference_price(system, context.options.provider)
    cost: Cell = Text("no price")
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
    return (Text(label), Text(method), hours, cost)


def budget_table(context: ReportContext) -> Table:
    """Both sides with the same method: the most complete that fits both; when none fits both,
    every method for each side (a side where it does not fit says so, with no time)."""
    sides = list(context.systems())
    model = focus_model(context)
    method = common_method([system for _, system in sides], model)
    methods = (method,) if method is not None else METHODS
    rows = tuple(budget_row(label, system, context, each)
                 for each in methods for label, system in sides)
    title = f"Fine-tuning {model} on {TOKEN_BUDGET / 1e9:g}B tokens"
    notes = (
        "Method = the most complete of full / LoRA / QLoRA that fits on both sides (the same "
        "method on both); when none fits both, each method for each side. " + SETTINGS_NOTE
        + ".",
    )
    return Table("training-budget", title, ("System", "Method", "Time", "Cost"), rows, notes)


def _scaling_systems(system: GpuSystem) -> list[GpuSystem]:
    if system.gpu_count > 1:
        return [system]
    return [build_system(system.gpu, count) for count in SCALING_COUNTS]


def _link_text(system: GpuSystem) -> str:
    link = system.link or (system.network if system.nodes > 1 else None)
    if link is None:
        return "—"
    name = link.name.split(",")[0].replace(" between machines", " network")
    return f"{name}, {link.per_direction_gb_s:g} GB/s/direction"


def _staged_note(systems: list[GpuSystem]) -> str:
    """Names the systems whose GPUs have no peer-to-peer path (only those; never a blanket
    'GeForce' sentence on a Radeon, Mac or datacenter comparison)."""
    staged = [s.label for s in systems if s.link is not None and not s.link.peer_to_peer]
    if not staged:
        return ""
    return (f" {', '.join(staged)}: no peer-to-peer between the GPUs, so gradient traffic is "
            "staged through host memory.")


def sync_row(system: GpuSystem, model: str) -> tuple[Cell, ...]:
    """Gradient-sync overhead of one system (cached per system and model)."""
    return side_cached("gradient-sync", system, (model,), lambda: _sync_row(system, model))


def _sync_row(system: GpuSystem, model: str) -> tuple[Cell, ...]:
    link = _link_text(system)
    fit = _memory(system, model, "full")
    if fit is None or not fit.fits:
        return (Text(system.label), Text(link), missing("does not fit"), missing(""),
                missing(""), Text(_does_not_fit_text(system, model, fit)))
    run = _run(system, model, "full")
    if run is None:
        return (
            Text(system.label),
            Text(link),
            missing("unsupported"),
            missing(""),
            missing(""),
            Text(""),
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
    return (Text(system.label), Text(link), allreduce, step, exposed,
            Text(f"fits ({fit.total_gb:.0f} GB/GPU)"))


def _does_not_fit_text(system: GpuSystem, model: str, fit: Any) -> str:
    if fit is None:
        return "unsupported"
    lighter = [m for m in METHODS[1:] if (f := _memory(system, model, m)) is not None and f.fits]
    instead = f"; fits: {lighter[0]}" if lighter else ""
    return f"does not fit ({fit.total_gb:.0f} GB/GPU){instead}"


def sync_table(context: ReportContext) -> Table:
    model = focus_model(context)
    systems = [system for _, side in context.systems() for system in _scaling_systems(side)]
    rows = [sync_row(system, model) for system in systems]
    notes = (
        f"Full fine-tuning in the fit table's settings ({SETTINGS_NOTE}); a system where it "
        "does not fit gets no time. "
        "Sharded with FSDP (ZeRO-3), BF16: gradient reduce-scatter plus "
        "parameter all-gathers move 1.5× what a ring all-reduce would (2(n−1)/n × gradient "
        "bytes per GPU) over the link's per-direction bandwidth; "
        "'exposed' is the share of the step not hidden behind the backward pass."
        + _staged_note(systems),
    )
    return Table(
        "gradient-sync",
        f"Gradient-sync overhead ({model}, full fine-tuning, FSDP)",
        ("System", "Link", "All-reduce", "Step", "Exposed sync", "Memory"),
        tuple(rows),
        notes,
    )


def sharded_row(
    label: str, system: GpuSystem, weights: str, engine: str = "vllm"
) -> tuple[Cell, ...]:
    """Sharded inference of the large model on one side (cached per system, weights, engine)."""
    return side_cached(
        "sharded-inference", system, (label, weights, engine),
        lambda: _sharded_row(label, system, weights, engine),
    )


def _sharded_row(label: str, system: GpuSystem, weights: str, engine: str) -> tuple[Cell, ...]:
    from gpuatlas.performance.api import inference_memory, predict_llm

    fit = attempt(lambda: inference_memory(system, LARGE_MODEL, weights, context_tokens=2048))
    if fit is None:
        return (Text(label), Text(weights), Text("unsupported"), missing(""), missing(""))
    count = fit.gpu_count if fit.fits else fit.min_gpus_needed
    if count is None:
        return (
            Text(label),
            Text(weights),
            Text("does not fit on 8 GPUs"),
            missing(""),
            missing(""),
        )
    sharded = build_system(system.gpu, max(count, system.gpu_count))
    run = attempt_or_reason(
        lambda: predict_llm(
            sharded, LARGE_MODEL, weights, engine, batch=1, input_tokens=1024, output_tokens=256
        )
    )
    if isinstance(run, str):
        return (Text(label), Text(weights), Text(sharded.label), missing(run), missing(run))
    return (
        Text(label),
        Text(weights),
        Text(sharded.label),
        estimate_quantity(run.decode_tok_s),
        estimate_quantity(run.ttft_ms),
    )


def _int4_weights(engine: str, system: GpuSystem) -> str:
    """AWQ where the side's engine loads it, else llama.cpp's Q4_K_M (a Mac, a Radeon)."""
    from gpuatlas.performance.engine_specs import engine_profile

    found = attempt(lambda: engine_profile(engine, system.gpu))
    return "awq-int4" if found is None or "awq-int4" in found.formats else "q4_k_m"


def sharded_table(context: ReportContext) -> Table:
    rows = []
    for label, system in context.systems():
        engine = engine_of(context, system).engine
        for weights in ("fp16", _int4_weights(engine, system)):
            rows.append(sharded_row(label, system, weights, engine))
    notes = (
        "Tensor-parallel over the fewest GPUs that hold the model; the per-token "
        "all-reduces over the link are part of the modelled decode step. Each side runs its "
        "engine (the LLM inference section's); INT4 is AWQ where that engine loads it, else "
        "GGUF Q4_K_M.",
    )
    return Table(
        "sharded-inference",
        f"Sharded inference of {LARGE_MODEL} (batch 1)",
        ("Side", "Weights", "Smallest system", "Decode", "TTFT"),
        tuple(rows),
        notes,
    )


def training_statements(context: ReportContext) -> list[Statement]:
    statements = []
    for label, system in context.systems():
        method = _first_fitting_method(system, LARGE_MODEL)
        statements.append(
            Statement(
                kind="fact",
                template="{system}: the most complete fine-tuning of {model} that fits is "
                "{method}.",
                words={
                    "system": label,
                    "model": LARGE_MODEL,
                    "method": method or "none (not even QLoRA)",
                },
            )
        )
    return statements


def build_training(context: ReportContext) -> Section:
    tables = (
        fit_table(context),
        budget_table(context),
        sync_table(context),
        sharded_table(context),
    )
    return Section(
        id="training",
        title="Training and multi-GPU scaling",
        tables=tables,
        statements=tuple(training_statements(context)),
    )
