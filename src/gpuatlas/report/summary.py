"""The report's opening statements, drawn from the sections' own statements and the scores."""

from __future__ import annotations

from collections.abc import Sequence

from gpuatlas.catalog.models import resolve_model
from gpuatlas.errors import GpuAtlasError
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Provenance, Quantity, ScoreEntry, Scores, Section, Statement
from gpuatlas.report.profiles.media import diffusion_models
from gpuatlas.report.scores import MIN_RANKED_BENCHMARKS

SUMMARY_FACTS = (
    "memory",
    "memory bandwidth",
    "dense FP16 tensor throughput",
    "total memory",
    "total dense FP16 throughput",
    "memory per GPU",
    "memory bandwidth per GPU",
    "GPU-usable memory",  # a unified-memory side (a Mac): the share its GPU may use
    "GPU-usable memory per GPU",
    "total GPU-usable memory",
)


def variant_statement(context: ReportContext) -> Statement:
    words = {
        "a": context.a_label,
        "b": context.b_label,
        "a_name": _system_name(context.a.gpu.name, context.a.gpu.form_factor, context.a.gpu_count),
        "b_name": _system_name(context.b.gpu.name, context.b.gpu.form_factor, context.b.gpu_count),
    }
    if context.a.id == context.b.id:  # 'compare rtx-4090 4090': say it before every 1.00×
        words["system"] = context.a.id
        template = (
            "A = {a_name}; B = {b_name}: both names are {system}, so the report compares it "
            "with itself and neither side can lead."
        )
        return Statement(kind="fact", template=template, words=words)
    return Statement(kind="fact", template="A = {a_name}; B = {b_name}.", words=words)


def _system_name(name: str, form_factor: str, count: int) -> str:
    single = f"{name} ({form_factor})"
    return single if count == 1 else f"{count}× {single}"


def score_statement(scores: Scores, context: ReportContext) -> Statement | None:
    present = scores.a or scores.b
    if present is None:
        return None
    provenance = Provenance(kind="computed", source=f"Atlas Score {present.method_version}")
    numbers: dict[str, Quantity] = {"reference_value": Quantity(100.0, "", provenance)}
    parts = []
    for side, entry in (("a", scores.a), ("b", scores.b)):
        if entry is None:
            parts.append("{" + side + "_label} has no benchmark in common with the reference")
            continue
        numbers.update(_score_numbers(side, entry))
        interval = " [{S_low:num}–{S_high:num}]" if entry.low is not None else ""
        part = "{S_label} {S:num}" + interval + " on {S_covered:int} of {S_total:int} benchmarks"
        if entry.paired:  # the pair's like-for-like figure, beside the system's own score
            part += " measured on both (its leaderboard score: {S_own:num} on {S_own_covered:int})"
        if entry.covered_benchmarks < MIN_RANKED_BENCHMARKS:  # as the leaderboard leaves it
            part += ", too few to rank (the leaderboard ranks from {min_ranked:int})"
            numbers["min_ranked"] = Quantity(float(MIN_RANKED_BENCHMARKS), "", provenance)
        parts.append(part.replace("S", side))
    words = {
        "a_label": context.a_label,
        "b_label": context.b_label,
        "reference": present.reference_gpu,
    }
    template = "Atlas Score ({reference} = {reference_value:num}): " + "; ".join(parts) + "."
    return Statement(kind="fact", template=template, numbers=numbers, words=words)


def _score_numbers(side: str, entry: ScoreEntry) -> dict[str, Quantity]:
    score = _score_quantity(entry)
    numbers = {
        side: score,
        f"{side}_covered": Quantity(float(entry.covered_benchmarks), "", score.provenance),
        f"{side}_total": Quantity(float(entry.total_benchmarks), "", score.provenance),
    }
    if entry.paired and entry.own_value is not None:
        numbers[f"{side}_own"] = Quantity(entry.own_value, "", score.provenance)
        numbers[f"{side}_own_covered"] = Quantity(
            float(entry.own_covered_benchmarks or 0), "", score.provenance
        )
    if entry.low is not None and entry.high is not None:
        numbers[f"{side}_low"] = Quantity(entry.low, "", score.provenance)
        numbers[f"{side}_high"] = Quantity(entry.high, "", score.provenance)
    return numbers


def _score_quantity(entry: ScoreEntry) -> Quantity:
    provenance = Provenance(
        kind="computed", source=f"Atlas Score {entry.method_version}", n=entry.covered_benchmarks
    )
    return Quantity(entry.value, "", provenance, entry.low, entry.high)


# The LLM section's statements the summary opens with when the request names a model: the
# format assumed, single-user decode, why a side has no modelled speed or runs another format
# and engine, and a side that runs the model partly on the CPU.
FOCUS_WHAT = "Single-user decode"


def _focus_statements(section: Section) -> list[Statement]:
    return [
        s
        for s in section.statements
        if "read_as" in s.words  # the name as read (a fine-tune read as its base)
        or {"label", "reason", "model"} <= s.words.keys()  # weights assumed for the model
        or str(s.words.get("what", "")).startswith(FOCUS_WHAT)  # '… (q4_k_m vs bf16)'
        or "fitting" in s.words  # no modelled speed on a side, and the format that fits
        or "instead" in s.words  # a side runs what users run there, as no format fits
        or "switched" in s.words  # … so the sides' formats differ: how to compare like for like
        or "split" in s.words  # a side partly on the CPU: why its decode is so slow
    ]


def _model_statements(context: ReportContext, sections: Sequence[Section]) -> list[Statement]:
    """The statements about the model the request names: an LLM's from the LLM section; an
    image model's images per minute from the image section (never the LLM section's 'not an
    LLM'); none without --model."""
    if context.options.model is None:
        return []
    try:
        model = resolve_model(context.options.model, allow_hub=False)
    except GpuAtlasError:
        return []
    if model.kind == "diffusion":
        labels = [label for label, model_id in diffusion_models(model.id) if model_id == model.id]
        wanted = {f"{label} images per minute (whole system)" for label in labels}
        return [
            s
            for section in sections
            if section.id == "media"
            for s in section.statements
            if s.words.get("what") in wanted or s.words.get("image_model") in labels
        ]
    if model.kind not in ("llm", "vlm"):  # an OCR model: no statement of its own
        return []
    return [
        s for section in sections if section.id == "inference" for s in _focus_statements(section)
    ]


def _picked(sections: Sequence[Section]) -> list[Statement]:
    picked: list[Statement] = []
    for section in sections:
        if section.id == "hardware":
            picked += [s for s in section.statements if s.words.get("what") in SUMMARY_FACTS]
        if section.id == "pricing":
            picked += [s for s in section.statements if s.kind == "fact"][:1]
        if section.id == "guidance":
            picked += [s for s in section.statements if s.kind == "answer"][:3]
        if section.id == "measured":
            picked += section.statements[:1]
    return picked


def build_summary(
    context: ReportContext, sections: Sequence[Section], scores: Scores
) -> tuple[Statement, ...]:
    statements = [variant_statement(context), *_model_statements(context, sections)]
    statements += _picked(sections)
    score = score_statement(scores, context)
    if score is not None:
        statements.append(score)
    return tuple(statements)
