"""Training and multi-GPU scaling: fine-tuning fit (full/LoRA/QLoRA), time and cost for a
token budget, gradient-sync overhead over each system's links, sharded-inference overhead."""

from __future__ import annotations

from typing import Any

from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Provenance, Quantity, Section, Statement, Table, Text
from gpuatlas.report.quantities import computed, estimate_quantity, price_quantity
from gpuatlas.report.sections.focus import attempt, focus_model, missing
from gpuatlas.report.sections.pricing import price_words, reference_price
from gpuatlas.report.side_cache import side_cached

METHODS = ("full", "lora", "qlora")
TOKEN_BUDGET = 1e9
LARGE_MODEL = "llama-3-70b"
SCALING_COUNTS = (2, 4, 8)


def _sharding(system: GpuSystem) -> str:
    return "fsdp" if system.gpu_count > 1 else "none"


def _memory(system: GpuSystem, model: str, method: str) -> Any:
    return side_cached(
        "training-memory", system, (model, method), lambda: _memory_fit(system, model, method)
    )


def _memory_fit(system: GpuSystem, model: str, method: str) -> Any:
    from gpuatlas.estimate.api import training_memory

    return attempt(
        lambda: training_memory(
            system,
            model,
            method,
            sequence_tokens=2048,
            micro_batch=1,
            checkpointing=True,
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
    notes = (
        "Per-GPU memory with activation checkpointing, 2,048-token sequences, micro-batch "
        "1, BF16 weights and AdamW states; multi-GPU systems shard with FSDP.",
    )
    return Table(
        "training-fit", "Fine-tuning fit", ("Model", "Method", "A", "B"), tuple(rows), notes
    )


def _first_fitting_method(system: GpuSystem, model: str) -> str | None:
    for method in METHODS:
        fit = _memory(system, model, method)
        if fit is not None and fit.fits:
            return method
    return None


def budget_row(label: str, system: GpuSystem, context: ReportContext) -> tuple[Cell, ...]:
    """One side's fine-tuning time and cost (cached per system, focus model and provider)."""
    key = (label, focus_model(context), context.options.provider)
    return side_cached("training-budget", system, key, lambda: _budget_row(label, system, context))


def _budget_row(label: str, system: GpuSystem, context: ReportContext) -> tuple[Cell, ...]:
    from gpuatlas.estimate.api import predict_training

    model = focus_model(context)
    method = _first_fitting_method(system, model)
    if method is None:
        return (Text(label), Text("none fits"), missing("no method fits"), missing(""))
    run = attempt(
        lambda: predict_training(
            system,
            model,
            tokens=TOKEN_BUDGET,
            method=method,
            recompute=True,
            sharding=_sharding(system),
        )
    )
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
    rows = tuple(budget_row(label, system, context) for label, system in context.systems())
    title = f"Fine-tuning {focus_model(context)} on {TOKEN_BUDGET / 1e9:g}B tokens"
    notes = ("Method = the most complete of full / LoRA / QLoRA that fits in memory.",)
    return Table("training-budget", title, ("System", "Method", "Time", "Cost"), rows, notes)


def _scaling_systems(system: GpuSystem) -> list[GpuSystem]:
    if system.gpu_count > 1:
        return [system]
    return [build_system(system.gpu, count) for count in SCALING_COUNTS]


def _link_text(system: GpuSystem) -> str:
    if system.link is None:
        return "—"
    return f"{system.link.name.split(',')[0]}, {system.link.per_direction_gb_s:g} GB/s/direction"


def sync_row(system: GpuSystem, model: str) -> tuple[Cell, ...]:
    """Gradient-sync overhead of one system (cached per system and model)."""
    return side_cached("gradient-sync", system, (model,), lambda: _sync_row(system, model))


def _sync_row(system: GpuSystem, model: str) -> tuple[Cell, ...]:
    from gpuatlas.estimate.api import predict_training

    run = attempt(
        lambda: predict_training(
            system, model, tokens=TOKEN_BUDGET, method="full", recompute=True, sharding="fsdp"
        )
    )
    link = _link_text(system)
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
    fits = "fits" if run.memory.fits else "does not fit in memory"
    return (Text(system.label), Text(link), allreduce, step, exposed, Text(fits))


def sync_table(context: ReportContext) -> Table:
    model = focus_model(context)
    rows = [
        sync_row(system, model)
        for _, side in context.systems()
        for system in _scaling_systems(side)
    ]
    notes = (
        "Full fine-tuning sharded with FSDP (ZeRO-3), BF16: gradient reduce-scatter plus "
        "parameter all-gathers move 1.5× what a ring all-reduce would (2(n−1)/n × gradient "
        "bytes per GPU) over the link's per-direction bandwidth; "
        "'exposed' is the share of the step not hidden behind the backward pass. "
        "GeForce cards have no NVLink and no PCIe peer-to-peer (traffic is staged through "
        "host memory).",
    )
    return Table(
        "gradient-sync",
        f"Gradient-sync overhead ({model}, full fine-tuning, FSDP)",
        ("System", "Link", "All-reduce", "Step", "Exposed sync", "Memory"),
        tuple(rows),
        notes,
    )


def sharded_row(label: str, system: GpuSystem, weights: str) -> tuple[Cell, ...]:
    """Sharded inference of the large model on one side (cached per system and weights)."""
    return side_cached(
        "sharded-inference", system, (label, weights),
        lambda: _sharded_row(label, system, weights),
    )


def _sharded_row(label: str, system: GpuSystem, weights: str) -> tuple[Cell, ...]:
    from gpuatlas.estimate.api import inference_memory, predict_llm

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
    run = attempt(
        lambda: predict_llm(
            sharded, LARGE_MODEL, weights, "vllm", batch=1, input_tokens=1024, output_tokens=256
        )
    )
    if run is None:
        return (Text(label), Text(weights), Text(sharded.label), missing(""), missing(""))
    return (
        Text(label),
        Text(weights),
        Text(sharded.label),
        estimate_quantity(run.decode_tok_s),
        estimate_quantity(run.ttft_ms),
    )


def sharded_table(context: ReportContext) -> Table:
    rows = [
        sharded_row(label, system, weights)
        for label, system in context.systems()
        for weights in ("fp16", "awq-int4")
    ]
    notes = (
        "Tensor-parallel over the fewest GPUs that hold the model; the per-token "
        "all-reduces over the link are part of the modelled decode step.",
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
