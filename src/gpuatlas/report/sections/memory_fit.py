"""VRAM fit: model sizes × weight formats → fits? KV room, max concurrency at 2K/8K, GPUs
needed (per GPU of each side's system, from the estimator's memory model)."""

from __future__ import annotations

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Provenance, Quantity, Section, Statement, Table, Text
from gpuatlas.report.focus import focus_engine, focus_model, weights_choice
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.fit import (
    FORMATS,
    GGUF_ROWS,
    POPULAR_MODELS,
    SIZE_MODELS,
    FitResult,
)

COLUMNS = (
    "Model",
    "Format",
    "Weights",
    "A: fits? (max streams 2K / 8K)",
    "B: fits? (max streams 2K / 8K)",
)


def table_formats(a: SideProfile, b: SideProfile) -> tuple[tuple[str, str], ...]:
    """The fit table's formats: GGUF rows as well when a side's engine loads no AWQ."""
    if a.loads_awq and b.loads_awq:
        return FORMATS
    return (*FORMATS, *GGUF_ROWS)


def fit_text(result: FitResult | None, system: GpuSystem) -> str:
    if result is None:
        return "not supported"
    if result.fits:
        return (
            f"yes, KV room {result.kv_room_gb:.0f} GB/GPU ({result.streams_2k} / "
            f"{result.streams_8k})"
        )
    needed = result.gpus_needed
    gpu = system.gpu.short_name
    return f"no — needs {needed}× {gpu}" if needed else "no — does not fit on 8 GPUs"


def _provenance(model_name: str) -> Provenance:
    version = getattr(current_calibration(), "version", "unknown")
    return Provenance(
        kind="modelled", source=model_name, model=model_name, calibration_version=str(version)
    )


def model_rows(context: ReportContext) -> list[tuple[str, str]]:
    rows = list(SIZE_MODELS) + [(m, m) for m in POPULAR_MODELS]
    focus = focus_model(context)
    if focus not in {m for _, m in rows}:
        rows.append((focus, focus))
    return rows


_SAME_MEMORY_AS_FP16 = ("bf16",)  # the FP16 row's figures hold for a bf16 checkpoint


def formats_of(
    context: ReportContext, model: str, formats: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """The table's formats, plus the focus model's native (or chosen) format when not listed."""
    if model != focus_model(context):
        return formats
    chosen = weights_choice(context.options).format_id
    listed = {w for _, w in formats}
    if chosen in listed or (chosen in _SAME_MEMORY_AS_FP16 and "fp16" in listed):
        return formats
    return (*formats, (f"{chosen.upper()} (assumed)", chosen))


def fit_table(
    context: ReportContext, a_side: SideProfile, b_side: SideProfile
) -> tuple[Table, dict[tuple[str, str, str], FitResult]]:
    rows: list[tuple[Cell, ...]] = []
    results: dict[tuple[str, str, str], FitResult] = {}
    model_name = "gpuatlas.memory/1"
    engine = focus_engine(context.options)
    for label, model in model_rows(context):
        for format_label, weights in formats_of(context, model, table_formats(a_side, b_side)):
            a, b = a_side.fit(model, weights, engine), b_side.fit(model, weights, engine)
            present = a or b
            if present is None:
                continue
            model_name = present.model
            results.update({("a", model, weights): a} if a else {})
            results.update({("b", model, weights): b} if b else {})
            weights_q = Quantity(present.weights_gb, "GB", _provenance(model_name))
            rows.append(
                (
                    Text(label if label == model else f"{label} ({model})"),
                    Text(format_label),
                    weights_q,
                    Text(fit_text(a, context.a)),
                    Text(fit_text(b, context.b)),
                )
            )
    notes = (
        "Fit at 2,048-token context with one stream; 'max streams' = most concurrent "
        "sequences whose KV cache fits at 2K and 8K context (FP16 KV cache). 'Needs N×' = "
        "smallest number of these GPUs that holds it (tensor parallel). FP8 on GPUs without "
        "native FP8 runs weight-only (same memory, slower) where the engine runs it at all.",
        f"Each side with its engine ({a_side.usual_engine.label}; "
        f"{b_side.usual_engine.label}): its memory margin (vLLM keeps 10% free) and "
        "the formats it loads ('not supported' = that engine does not load the format, or not "
        "on that GPU: vLLM's FP8 needs compute capability 8.0, its AWQ and INT8 7.5).",
    )
    table = Table("memory-fit", "Which models fit", COLUMNS, tuple(rows), notes)
    return table, results


def fit_statements(
    context: ReportContext, results: dict[tuple[str, str, str], FitResult]
) -> list[Statement]:
    statements = []
    for side, label in (
        ("a", context.a_label),
        ("b", context.b_label),
    ):
        largest = [
            m
            for _, m in SIZE_MODELS
            if (side, m, "fp16") in results and results[(side, m, "fp16")].fits
        ]
        if largest:
            statements.append(
                Statement(
                    kind="fact",
                    template="{system}: the largest of the 7B/13B/34B/70B models that fits in FP16 "
                    "is {model}.",
                    words={"system": label, "model": largest[-1]},
                )
            )
        else:
            statements.append(
                Statement(
                    kind="fact",
                    template="{system}: none of the 7B–70B models fits in FP16.",
                    words={"system": label},
                )
            )
    return statements


def build_memory_fit(context: ReportContext, a: SideProfile, b: SideProfile) -> Section:
    table, results = fit_table(context, a, b)
    return Section(
        id="memory-fit",
        title="VRAM fit",
        tables=(table,),
        statements=tuple(fit_statements(context, results)),
    )
