"""Image generation (s/image, images/min at each model's standard settings), vision
(images/min) and OCR (pages/min), modelled for both sides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Chart, Quantity, Section, Statement, Table, Text
from gpuatlas.report.quantities import estimate_quantity
from gpuatlas.report.sections.focus import attempt, missing, modelled_comparison
from gpuatlas.report.side_cache import side_cached

DIFFUSION_MODELS = (
    ("SD 1.5", "sd-1.5"),
    ("SDXL", "sdxl-base-1.0"),
    ("SD 3.5 Medium", "sd-3.5-medium"),
    ("SD 3.5 Large", "sd-3.5-large"),
    ("FLUX.1 schnell", "flux.1-schnell"),
    ("FLUX.1 dev", "flux.1-dev"),
)
VISION_MODEL, VISION_BATCH = "llava-1.5-7b", 32
OCR_MODEL, OCR_BATCH = "trocr-base", 16


def _diffusion(system: GpuSystem, model: str) -> Any:
    from gpuatlas.performance.api import predict_diffusion

    return side_cached(
        "diffusion", system, (model,), lambda: attempt(lambda: predict_diffusion(system, model))
    )


def _settings(a: Any, b: Any) -> str:
    """Resolution and steps (the same on both sides), and each side's CPU offload when either
    side needs one (the kind: model offload of components in turn, or sequential streaming of
    the denoiser's weights)."""
    shown = a or b
    if shown is None:
        return ""
    text = f"{shown.resolution_px}px, {shown.steps} steps"
    if any(p is not None and p.offload != "none" for p in (a, b)):
        text += f"; CPU offload: A {_offload(a)}, B {_offload(b)}"
    return text


def _offload(prediction: Any) -> str:
    if prediction is None:
        return "—"
    return {"none": "none", "model": "model (components in turn)",
            "sequential": "sequential (denoiser streamed)"}.get(prediction.offload,
                                                                 prediction.offload)


def diffusion_rows(context: ReportContext) -> tuple[list[tuple[Cell, ...]], list[Statement], Chart]:
    rows: list[tuple[Cell, ...]] = []
    statements: list[Statement] = []
    labels, a_values, b_values = [], [], []
    for label, model in DIFFUSION_MODELS:
        a, b = _diffusion(context.a, model), _diffusion(context.b, model)
        qa = estimate_quantity(a.s_per_image) if a else missing("unsupported")
        qb = estimate_quantity(b.s_per_image) if b else missing("unsupported")
        ma = estimate_quantity(a.images_per_min) if a else missing("unsupported")
        mb = estimate_quantity(b.images_per_min) if b else missing("unsupported")
        settings = _settings(a, b)
        rows.append((Text(f"{label} ({settings})"), qa, qb, ma, mb))
        statement = modelled_comparison(
            f"{label} images per minute (whole system)", context.a_label, context.b_label,
            ma, mb,
        )
        statements += [statement] if statement else []
        labels.append(label)
        a_values.append(qa.value)
        b_values.append(qb.value)
    chart = Chart(
        "image-seconds",
        "Seconds per image (modelled, lower is better)",
        "s/image",
        tuple(labels),
        tuple(a_values),
        tuple(b_values),
        higher_is_better=False,
    )
    return rows, statements, chart


def _throughput(system: GpuSystem, label: str, predict: Callable[[GpuSystem], Any]) -> Quantity:
    """One side's throughput for the workload named `label` (cached per system and label)."""

    def compute() -> Quantity:
        # One rule for every small model: a system of N GPUs runs N replicas (data parallel),
        # so its throughput is N × one GPU's.
        one_gpu = build_system(system.gpu, 1)
        estimate = attempt(lambda: predict(one_gpu))
        if not estimate:
            return missing("does not fit or unsupported")
        return estimate_quantity(estimate, factor=float(system.gpu_count))

    return side_cached("media-throughput", system, (label,), compute)


def _throughput_row(
    label: str, context: ReportContext, predict: Callable[[GpuSystem], Any]
) -> tuple[Cell, ...]:
    a = _throughput(context.a, label, predict)
    return (Text(label), a, _throughput(context.b, label, predict))


def vision_ocr_table(context: ReportContext) -> Table:
    from gpuatlas.performance.api import predict_ocr, predict_vision

    rows = (
        _throughput_row(
            f"LLaVA-1.5-7B, batch {VISION_BATCH} (images/min)",
            context,
            lambda s: predict_vision(s, VISION_MODEL, batch=VISION_BATCH),
        ),
        _throughput_row(
            f"TrOCR-base, batch {OCR_BATCH} (pages/min)",
            context,
            lambda s: predict_ocr(s, OCR_MODEL, batch=OCR_BATCH),
        ),
    )
    notes = ("A system of N GPUs runs N replicas of each model (data parallel): its throughput "
             "is N × one GPU's, for vision and OCR alike.",)
    return Table("vision-ocr", "Vision and OCR throughput (modelled)", ("Workload", "A", "B"),
                 rows, notes)


def build_media(context: ReportContext) -> Section:
    rows, statements, chart = diffusion_rows(context)
    image_table = Table(
        "image-generation",
        "Image generation at standard settings (modelled)",
        ("Model (settings)", "A s/image", "B s/image", "A images/min", "B images/min"),
        tuple(rows),
    )
    vision = vision_ocr_table(context)
    for row in vision.rows:
        a, b = row[1], row[2]
        if isinstance(a, Quantity) and isinstance(b, Quantity):
            title = row[0].text if isinstance(row[0], Text) else ""
            statement = modelled_comparison(
                title.split(",")[0], context.a_label, context.b_label, a, b
            )
            statements += [statement] if statement else []
    return Section(
        id="media",
        title="Image generation, vision and OCR",
        tables=(image_table, vision),
        statements=tuple(statements),
        charts=(chart,),
    )
