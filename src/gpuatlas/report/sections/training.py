"""Training and multi-GPU scaling: fine-tuning fit (full/LoRA/QLoRA), time and cost for a
token budget, gradient-sync overhead over each system's links, sharded-inference overhead."""

from __future__ import annotations

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.numbers import format_given
from gpuatlas.performance.predictions import TrainingMemoryFit
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Section, Statement, Table, Text
from gpuatlas.report.focus import focus_model, modelled_comparison
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.training import (
    LARGE_MODEL,
    METHODS,
    SETTINGS_NOTE,
    TOKEN_BUDGET,
    FineTuningBudget,
    GradientSync,
    ShardedInference,
    scaling_systems,
)


def _fit_text(fit: TrainingMemoryFit | None) -> str:
    """'fits (21 GB/GPU)'; sharded runs say so ('fits (72 GB/GPU, FSDP)'): a LoRA replica
    per GPU beside a sharded full fine-tune read as LoRA needing more memory than full."""
    if fit is None:
        return "unsupported"
    verdict = "fits" if fit.fits else "does not fit"
    sharded = f", {fit.sharding.upper()}" if fit.sharding != "none" else ""
    return f"{verdict} ({fit.total_gb:.0f} GB/GPU{sharded})"


def fit_table(context: ReportContext, a: SideProfile, b: SideProfile) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for model in dict.fromkeys((focus_model(context), LARGE_MODEL)):
        for method in METHODS:
            rows.append(
                (
                    Text(model),
                    Text(method),
                    Text(_fit_text(a.training_memory(model, method))),
                    Text(_fit_text(b.training_memory(model, method))),
                )
            )
    notes = (f"Per-GPU memory: {SETTINGS_NOTE} (the settings of every table here).",)
    return Table(
        "training-fit", "Fine-tuning fit", ("Model", "Method", "A", "B"), tuple(rows), notes
    )


def common_method(sides: tuple[SideProfile, ...], model: str) -> str | None:
    """The most complete method that fits on every side (like for like), else None."""
    for method in METHODS:
        fits = [side.training_memory(model, method) for side in sides]
        if all(fit is not None and fit.fits for fit in fits):
            return method
    return None


def timed_method(context: ReportContext, a: SideProfile, b: SideProfile) -> str | None:
    """The method both sides are timed with: the request's (--method), else the most complete
    that fits both, else None."""
    return context.options.training_method or common_method((a, b), focus_model(context))


def _method_note(context: ReportContext) -> str:
    if context.options.training_method:
        return f"Method = {context.options.training_method} on both sides, as asked (--method). "
    return (
        "Method = the most complete of full / LoRA / QLoRA that fits on both sides (the same "
        "method on both; --method chooses one); when none fits both, each method for each "
        "side. "
    )


def budget_table(context: ReportContext, a: SideProfile, b: SideProfile) -> Table:
    """Both sides with the same method: the request's, else the most complete that fits both;
    when none fits both, every method for each side (a side where it does not fit says so, with
    no time)."""
    model = focus_model(context)
    method = timed_method(context, a, b)
    methods = (method,) if method is not None else METHODS
    rows = tuple(_budget_row(side.label, side.budgets[each]) for each in methods for side in (a, b))
    title = f"Fine-tuning {model} on {format_given(TOKEN_BUDGET / 1e9)}B tokens"
    notes = (_method_note(context) + SETTINGS_NOTE + ".",)
    return Table("training-budget", title, ("System", "Method", "Time", "Cost"), rows, notes)


def _budget_row(label: str, budget: FineTuningBudget) -> tuple[Cell, ...]:
    cost: Cell = Text("no price") if budget.cost_usd is None else budget.cost_usd
    return (Text(label), Text(budget.method), budget.hours, cost)


def _sync_row(sync: GradientSync) -> tuple[Cell, ...]:
    return (
        Text(sync.system),
        Text(sync.link),
        sync.allreduce_ms,
        sync.step_ms,
        sync.exposed_pct,
        Text(sync.memory),
    )


def _sharded_row(label: str, run: ShardedInference) -> tuple[Cell, ...]:
    return (
        Text(label),
        Text(run.weights),
        Text(run.smallest_system),
        run.decode_tok_s,
        run.ttft_ms,
    )


def _staged_note(systems: list[GpuSystem]) -> str:
    """Names the systems whose GPUs have no peer-to-peer path (only those; never a blanket
    'GeForce' sentence on a Radeon, Mac or datacenter comparison)."""
    staged = [s.label for s in systems if s.link is not None and not s.link.peer_to_peer]
    if not staged:
        return ""
    return (
        f" {', '.join(staged)}: no peer-to-peer between the GPUs, so gradient traffic is "
        "staged through host memory."
    )


def sync_table(context: ReportContext, a: SideProfile, b: SideProfile) -> Table:
    model = focus_model(context)
    systems = [system for side in (a, b) for system in scaling_systems(side.system)]
    rows = tuple(_sync_row(sync) for side in (a, b) for sync in side.gradient_sync)
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
        rows,
        notes,
    )


def sharded_table(a: SideProfile, b: SideProfile) -> Table:
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
        tuple(_sharded_row(side.label, run) for side in (a, b) for run in side.sharded_inference),
        notes,
    )


def training_statements(context: ReportContext, a: SideProfile, b: SideProfile) -> list[Statement]:
    """Per model of the fit table (the focus model first, then the large reference): the most
    complete fine-tuning each side fits; then the focus model's time for the token budget
    with the method both sides fit, compared."""
    statements = []
    for model in dict.fromkeys((focus_model(context), LARGE_MODEL)):
        for label, side in ((context.a_label, a), (context.b_label, b)):
            method = side.first_fitting_method(model)
            statements.append(
                Statement(
                    kind="fact",
                    template="{system}: the most complete fine-tuning of {model} that fits is "
                    "{method}.",
                    words={
                        "system": label,
                        "model": model,
                        "method": method or "none (not even QLoRA)",
                    },
                )
            )
    method = timed_method(context, a, b)
    if method is not None:
        compared = modelled_comparison(
            f"Fine-tuning {focus_model(context)} ({method}) on "
            f"{format_given(TOKEN_BUDGET / 1e9)}B tokens",
            context.a_label,
            context.b_label,
            a.budgets[method].hours,
            b.budgets[method].hours,
            higher_is_better=False,
        )
        statements += [compared] if compared is not None else []
    return statements


def build_training(context: ReportContext, a: SideProfile, b: SideProfile) -> Section:
    tables = (
        fit_table(context, a, b),
        budget_table(context, a, b),
        sync_table(context, a, b),
        sharded_table(a, b),
    )
    return Section(
        id="training",
        title="Training and multi-GPU scaling",
        tables=tables,
        statements=tuple(training_statements(context, a, b)),
    )
