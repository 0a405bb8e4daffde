"""The report's opening statements, drawn from the sections' own statements and the scores."""

from __future__ import annotations

from collections.abc import Sequence

from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Provenance, Quantity, ScoreEntry, Scores, Section, Statement

SUMMARY_FACTS = (
    "memory",
    "memory bandwidth",
    "dense FP16 tensor throughput",
    "total memory",
    "total dense FP16 throughput",
    "memory per GPU",
    "memory bandwidth per GPU",
)


def variant_statement(context: ReportContext) -> Statement:
    words = {
        "a": context.a_label,
        "b": context.b_label,
        "a_name": _system_name(context.a.gpu.name, context.a.gpu.form_factor, context.a.gpu_count),
        "b_name": _system_name(context.b.gpu.name, context.b.gpu.form_factor, context.b.gpu_count),
    }
    return Statement(kind="fact", template="A = {a_name}; B = {b_name}.", words=words)


def _system_name(name: str, form_factor: str, count: int) -> str:
    single = f"{name} ({form_factor})"
    return single if count == 1 else f"{count}× {single}"


def score_statement(scores: Scores, context: ReportContext) -> Statement | None:
    if scores.a is None and scores.b is None:
        return None
    numbers: dict[str, Quantity] = {}
    parts = []
    for side, label, entry in (("a", context.a_label, scores.a), ("b", context.b_label, scores.b)):
        if entry is None:
            parts.append(f"{label} has no benchmark in common with the reference")
            continue
        numbers[side] = _score_quantity(entry)
        interval = " [{%s_low:num}–{%s_high:num}]" % (side, side) if entry.low is not None else ""  # noqa: UP031
        if entry.low is not None and entry.high is not None:
            numbers[f"{side}_low"] = Quantity(entry.low, "", numbers[side].provenance)
            numbers[f"{side}_high"] = Quantity(entry.high, "", numbers[side].provenance)
        parts.append("{%s_label} {%s:num}%s on {%s_coverage}" % (side, side, interval, side))  # noqa: UP031
    reference = (scores.a or scores.b).reference_gpu  # type: ignore[union-attr]
    words = {
        "a_label": context.a_label,
        "b_label": context.b_label,
        "reference": reference,
        "a_coverage": scores.a.coverage if scores.a else "",
        "b_coverage": scores.b.coverage if scores.b else "",
    }
    template = "Atlas Score ({reference} = 100): " + "; ".join(parts) + "."
    return Statement(kind="fact", template=template, numbers=numbers, words=words)


def _score_quantity(entry: ScoreEntry) -> Quantity:
    provenance = Provenance(
        kind="computed", source=f"Atlas Score {entry.method_version}", n=entry.covered_benchmarks
    )
    return Quantity(entry.value, "", provenance, entry.low, entry.high)


def _picked(sections: Sequence[Section]) -> list[Statement]:
    picked: list[Statement] = []
    for section in sections:
        if section.id == "hardware":
            picked += [s for s in section.statements if s.words.get("what") in SUMMARY_FACTS]
        if section.id in ("pricing", "guidance"):
            picked += [s for s in section.statements if s.kind in ("fact", "guidance")][:2]
        if section.id == "measured":
            picked += section.statements[:1]
    return picked


def build_summary(
    context: ReportContext, sections: Sequence[Section], scores: Scores
) -> tuple[Statement, ...]:
    statements = [variant_statement(context), *_picked(sections)]
    score = score_statement(scores, context)
    if score is not None:
        statements.append(score)
    return tuple(statements)
