"""Image generation (s/image, images/min at each model's standard settings), vision
(images/min) and OCR (pages/min), modelled for both sides."""

from __future__ import annotations

from gpuatlas.performance.predictions import DiffusionPrediction
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Chart, Quantity, Section, Statement, Table, Text
from gpuatlas.report.focus import image_focus, missing, modelled_comparison
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.media import OCR_BATCH, VISION_BATCH, diffusion_models
from gpuatlas.report.quantities import estimate_quantity


def _settings(a: DiffusionPrediction | None, b: DiffusionPrediction | None) -> str:
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


def _offload(prediction: DiffusionPrediction | None) -> str:
    if prediction is None:
        return "—"
    return {
        "none": "none",
        "model": "model (components in turn)",
        "partial": "partial (the rest of the denoiser streamed)",
        "sequential": "sequential (denoiser streamed)",
    }.get(prediction.offload, prediction.offload)


def _offload_note(prediction: DiffusionPrediction) -> str:
    """' — diffusers' enable_sequential_cpu_offload: … (the denoiser alone, 23.8 GB, > …)':
    the model's own note on the offload (what a user runs, the sizes that force it)."""
    for note in prediction.notes:
        kind, _, rest = note.partition(", ")
        if kind.endswith("CPU offload") and rest:
            return f" — {rest}"
        if note.startswith("partial load"):
            return f" — {note}"
    return ""


def _offload_statements(
    label: str, sides: tuple[tuple[str, DiffusionPrediction | None], ...]
) -> list[Statement]:
    """A side that needs CPU offload for an image model says so (it explains a large gap)."""
    return [
        Statement(
            kind="fact",
            words={
                "system": system,
                "image_model": label,
                "offload": _offload(prediction),
                "why": _offload_note(prediction),
            },
            template="{system} runs {image_model} with CPU offload: {offload}{why}.",
        )
        for system, prediction in sides
        if prediction is not None and prediction.offload != "none"
    ]


def diffusion_rows(
    context: ReportContext, a_side: SideProfile, b_side: SideProfile
) -> tuple[list[tuple[Cell, ...]], list[Statement], Chart]:
    rows: list[tuple[Cell, ...]] = []
    statements: list[Statement] = []
    labels, a_values, b_values = [], [], []
    for label, model in diffusion_models(image_focus(context.options)):
        a, b = a_side.diffusion[model], b_side.diffusion[model]
        qa = estimate_quantity(a.s_per_image) if a else missing("unsupported")
        qb = estimate_quantity(b.s_per_image) if b else missing("unsupported")
        ma = estimate_quantity(a.images_per_min) if a else missing("unsupported")
        mb = estimate_quantity(b.images_per_min) if b else missing("unsupported")
        settings = _settings(a, b)
        rows.append((Text(f"{label} ({settings})"), qa, qb, ma, mb))
        statement = modelled_comparison(
            f"{label} images per minute (whole system)",
            context.a_label,
            context.b_label,
            ma,
            mb,
        )
        statements += [statement] if statement else []
        statements += _offload_statements(label, ((context.a_label, a), (context.b_label, b)))
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


def vision_ocr_table(a: SideProfile, b: SideProfile) -> Table:
    rows: tuple[tuple[Cell, ...], ...] = (
        (Text(f"LLaVA-1.5-7B, batch {VISION_BATCH} (images/min)"), a.vision, b.vision),
        (Text(f"TrOCR-base, batch {OCR_BATCH} (pages/min)"), a.ocr, b.ocr),
    )
    notes = (
        "A system of N GPUs runs N replicas of each model (data parallel): its throughput "
        "is N × one GPU's, for vision and OCR alike.",
    )
    return Table(
        "vision-ocr", "Vision and OCR throughput (modelled)", ("Workload", "A", "B"), rows, notes
    )


def build_media(context: ReportContext, a: SideProfile, b: SideProfile) -> Section:
    rows, statements, chart = diffusion_rows(context, a, b)
    image_table = Table(
        "image-generation",
        "Image generation at standard settings (modelled)",
        ("Model (settings)", "A s/image", "B s/image", "A images/min", "B images/min"),
        tuple(rows),
    )
    vision = vision_ocr_table(a, b)
    for row in vision.rows:
        qa, qb = row[1], row[2]
        if isinstance(qa, Quantity) and isinstance(qb, Quantity):
            title = row[0].text if isinstance(row[0], Text) else ""
            statement = modelled_comparison(
                title.split(",")[0], context.a_label, context.b_label, qa, qb
            )
            statements += [statement] if statement else []
            statements += _unavailable(
                title.split(",")[0], ((context.a_label, qa), (context.b_label, qb))
            )
    return Section(
        id="media",
        title="Image generation, vision and OCR",
        tables=(image_table, vision),
        statements=tuple(statements),
        charts=(chart,),
    )


def _unavailable(workload: str, sides: tuple[tuple[str, Quantity], ...]) -> list[Statement]:
    """Why a side has no modelled figure, in full (a table cell shows only short reasons)."""
    return [
        Statement(
            kind="fact",
            words={"workload": workload, "system": label, "reason": quantity.provenance.source},
            template="No modelled {workload} for {system}: {reason}.",
        )
        for label, quantity in sides
        if quantity.value is None and quantity.provenance.source
    ]
