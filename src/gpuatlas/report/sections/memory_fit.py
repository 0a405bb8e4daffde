"""VRAM fit: model sizes × weight formats → fits? KV room, max concurrency at 2K/8K, GPUs
needed (per GPU of each side's system, from the estimator's memory model)."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Provenance, Quantity, Section, Statement, Table, Text
from gpuatlas.report.sections.focus import attempt, engine_of, focus_model
from gpuatlas.report.side_cache import side_cached

SIZE_MODELS = (
    ("7B", "llama-2-7b"),
    ("13B", "llama-2-13b"),
    ("34B", "codellama-34b"),
    ("70B", "llama-3-70b"),
)
POPULAR_MODELS = ("llama-3.1-8b", "qwen3-32b", "gpt-oss-20b", "mixtral-8x7b", "qwen3-30b-a3b")
FORMATS = (("FP16", "fp16"), ("FP8", "fp8"), ("INT8", "int8"), ("INT4 (AWQ)", "awq-int4"))
GGUF_ROWS = (("Q8_0 (GGUF)", "q8_0"), ("Q4_K_M (GGUF)", "q4_k_m"))  # when a side runs llama.cpp
COLUMNS = (
    "Model",
    "Format",
    "Weights",
    "A: fits? (max streams 2K / 8K)",
    "B: fits? (max streams 2K / 8K)",
)


@dataclass(frozen=True)
class FitResult:
    fits: bool
    weights_gb: float
    kv_room_gb: float
    streams_2k: int
    streams_8k: int
    gpus_needed: int | None
    model: str


def fit(
    system: GpuSystem, model: str, weights: str, engine: str | None = None
) -> FitResult | None:
    """The fit of `model` in `weights` on `system` with its engine (default: the platform's
    usual one; its memory margin and the formats it loads), cached; None if unsupported."""
    return side_cached("fit", system, (model, weights, engine),
                       lambda: _fit(system, model, weights, engine))


def _engine_id(system: GpuSystem, engine: str | None) -> str:
    from gpuatlas.performance.engine_specs import engine_profile
    from gpuatlas.performance.platform_engines import side_engine

    return engine_profile(side_engine(system.gpu, engine).engine, system.gpu).id


def _fit(system: GpuSystem, model: str, weights: str, engine: str | None) -> FitResult | None:
    from gpuatlas.performance.api import inference_memory

    profile = attempt(lambda: _engine_id(system, engine))
    if profile is None:
        return None
    short = attempt(lambda: inference_memory(system, model, weights, context_tokens=2048,
                                             engine=profile))
    long = attempt(lambda: inference_memory(system, model, weights, context_tokens=8192,
                                            engine=profile))
    if short is None or long is None:
        return None
    fixed = short.per_gpu.weights_gb + short.per_gpu.activations_gb + short.per_gpu.overhead_gb
    return FitResult(
        fits=short.fits,
        weights_gb=short.per_gpu.weights_gb * short.gpu_count,
        kv_room_gb=max(0.0, short.usable_gb - fixed),
        streams_2k=short.max_concurrent_sequences,
        streams_8k=long.max_concurrent_sequences,
        gpus_needed=short.min_gpus_needed,
        model=short.model,
    )


def table_formats(context: ReportContext) -> tuple[tuple[str, str], ...]:
    """The fit table's formats: GGUF rows as well when a side's engine loads no AWQ."""
    from gpuatlas.performance.engine_specs import engine_profile

    def loads_awq(system: GpuSystem) -> bool:
        found = attempt(lambda: engine_profile(engine_of(context, system).engine, system.gpu))
        return found is None or "awq-int4" in found.formats

    if loads_awq(context.a) and loads_awq(context.b):
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
    from gpuatlas.performance.calibration_table import current_calibration

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


def fit_table(context: ReportContext) -> tuple[Table, dict[tuple[str, str, str], FitResult]]:
    rows: list[tuple[Cell, ...]] = []
    results: dict[tuple[str, str, str], FitResult] = {}
    model_name = "gpuatlas.memory/1"
    engines = (context.options.engine, context.options.engine)
    for label, model in model_rows(context):
        for format_label, weights in table_formats(context):
            a, b = fit(context.a, model, weights, engines[0]), fit(context.b, model, weights,
                                                                   engines[1])
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
        "native FP8 runs weight-only (same memory, slower).",
        f"Each side with its engine ({engine_of(context, context.a).label}; "
        f"{engine_of(context, context.b).label}): its memory margin (vLLM keeps 10% free) and "
        "the formats it loads ('not supported' = that engine does not load the format).",
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


def build_memory_fit(context: ReportContext) -> Section:
    table, results = fit_table(context)
    return Section(
        id="memory-fit",
        title="VRAM fit",
        tables=(table,),
        statements=tuple(fit_statements(context, results)),
    )
