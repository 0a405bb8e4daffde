"""Category verdicts of a pair (issue 12, item 3): per category, the geometric mean of the
A ÷ B ratios with a 95% interval, the consistency of direction (an exact sign test) and the
per-benchmark wins — from benchmarks measured on both sides where there are any, else from the
standard suite's modelled rows (labelled ``vs_model``), else a row that says why not."""

from __future__ import annotations

from collections.abc import Sequence

from gpuatlas.compare import CategorySummary, Verdict, summarize_category
from gpuatlas.report.document import (
    CategoryEntry,
    Cell,
    Chart,
    Provenance,
    Quantity,
    RatioRange,
    Statement,
    Text,
)
from gpuatlas.report.measured import CATEGORY_TITLES
from gpuatlas.report.pair_rows import PairRow, verdict_label
from gpuatlas.report.phrasing import format_number
from gpuatlas.report.verdict_text import (
    invert,
    verdict_statement,
    vs_model_statement,
    with_method_numbers,
)

CATEGORY_ORDER = tuple(CATEGORY_TITLES)
P_FLOOR = 0.001
CATEGORY_COLUMNS = (
    "Category",
    "Basis",
    "Benchmarks",
    "Geomean A ÷ B [95% CI]",
    "Direction: toward A / toward B (sign test p)",
    "A wins / B wins / undecided",
    "Verdict",
)
BASIS_LABELS = {
    "measured": "measured on both",
    "modelled": "suite, modelled side(s)",
    "none": "—",
}


def _ordered(categories: set[str]) -> list[str]:
    known = [c for c in CATEGORY_ORDER if c in categories]
    return known + sorted(categories - set(CATEGORY_ORDER))


def category_entries(
    rows: Sequence[PairRow], suite_categories: Sequence[str]
) -> list[CategoryEntry]:
    """One entry per suite category and per other category with a measured pair."""
    present = {r.info.category for r in rows if r.measured_on_both} | set(suite_categories)
    return [
        _entry(name, [r for r in rows if r.info.category == name]) for name in _ordered(present)
    ]


def _entry(name: str, members: list[PairRow]) -> CategoryEntry:
    measured = [r for r in members if r.measured_on_both and r.ratio is not None]
    if measured:
        return _from_summary(name, "measured", _summary(name, measured, True), measured)
    modelled = [r for r in members if r.suite and r.ratio is not None]
    if modelled:
        return _from_summary(name, "modelled", _summary(name, modelled, False), modelled)
    reasons = sorted({r.reason for r in members if r.reason})
    reason = "no benchmark measured on both sides" + (f"; {reasons[0]}" if reasons else "")
    return CategoryEntry(
        name,
        _title(name),
        "none",
        len(members),
        None,
        "inconclusive",
        None,
        0,
        0,
        0,
        0,
        0,
        None,
        reason,
    )


def _summary(name: str, rows: list[PairRow], by_direction: bool) -> CategorySummary:
    ratios = [r.ratio for r in rows if r.ratio is not None]
    return summarize_category(name, ratios, [r.direction for r in rows], by_direction=by_direction)


def _title(name: str) -> str:
    return CATEGORY_TITLES.get(name, name)


def _from_summary(
    name: str, basis: str, summary: CategorySummary, rows: list[PairRow]
) -> CategoryEntry:
    interval = summary.ratio
    tally = summary.tally
    is_model = basis == "modelled"
    reason = None
    if summary.verdict.value == "inconclusive":
        reason = "the 95% interval of the geometric mean crosses the ±5% band"
    elif summary.decided_by == "sign test":
        reason = (
            "the interval of the geometric mean is wide, but the benchmarks lead beyond the "
            "±5% margin consistently (sign test)"
        )
    return CategoryEntry(
        category=name,
        title=_title(name),
        basis="modelled" if is_model else "measured",
        benchmarks=len(rows),
        ratio=RatioRange(interval.value, interval.low, interval.high),
        verdict="vs_model" if is_model else summary.verdict.value,
        model_verdict=summary.verdict.value if is_model else None,
        a_wins=tally.a_wins,
        b_wins=tally.b_wins,
        undecided=tally.ties + tally.inconclusive,
        toward_a=summary.toward_a,
        toward_b=summary.toward_b,
        sign_test_p=summary.sign_test_p,
        reason=reason,
        decided_by=summary.decided_by,
        beyond_margin_p=summary.beyond_margin_p,
    )


PROVENANCE = Provenance(
    kind="computed", source="geometric mean of A/B ratios; joint bootstrap; exact sign test"
)


def _ratio(entry: CategoryEntry) -> Quantity | None:
    if entry.ratio is None:
        return None
    return Quantity(entry.ratio.value, "×", PROVENANCE, entry.ratio.low, entry.ratio.high)


def format_p(p: float | None) -> str:
    if p is None:
        return "—"
    # written as the category sentences write it ({p:num}), so one p reads the same everywhere
    return f"p < {format_number(P_FLOOR)}" if p < P_FLOOR else f"p = {format_number(p)}"


def category_rows(entries: Sequence[CategoryEntry]) -> tuple[tuple[Cell, ...], ...]:
    rows = []
    for e in entries:
        ratio = _ratio(e)
        rows.append(
            (
                Text(e.title),
                Text(BASIS_LABELS[e.basis]),
                Text(str(e.benchmarks)),
                ratio if ratio is not None else Text(f"— ({e.reason})"),
                Text(
                    f"{e.toward_a} / {e.toward_b} ({format_p(e.sign_test_p)})" if e.ratio else "—"
                ),
                Text(f"{e.a_wins} / {e.b_wins} / {e.undecided}" if e.basis == "measured" else "—"),
                Text(verdict_label(e.verdict, e.model_verdict, e.basis)),
            )
        )
    return tuple(rows)


def category_statements(
    entries: Sequence[CategoryEntry], a_label: str, b_label: str
) -> list[Statement]:
    statements = []
    for e in entries:
        ratio = _ratio(e)
        if ratio is None:
            continue
        subject = f"{e.title} (geometric mean of {e.benchmarks})"
        if e.basis == "modelled" and ratio.low is not None:
            direction = Verdict(e.model_verdict or "inconclusive")
            statements.append(
                vs_model_statement(subject, direction, ratio, a_label, b_label, "modelled")
            )
            continue
        if e.decided_by == "sign test":
            statements.append(_by_sign_test(subject, e, ratio, a_label, b_label))
            continue
        statement = verdict_statement(
            subject, Verdict(e.verdict), ratio, a_label, b_label, e.reason
        )
        statements.append(_with_direction(statement, e))
    return statements


def _by_sign_test(
    subject: str, entry: CategoryEntry, ratio: Quantity, a_label: str, b_label: str
) -> Statement:
    """'Image generation (…): RTX 4090 is faster — 7 of 7 benchmarks lead by more than ±5%
    (sign test p = 0.016); geometric mean 1.95×, its 95% CI 1.27×–3.03× is wide.'"""
    assert ratio.value is not None and entry.beyond_margin_p is not None
    a_wins = entry.verdict == "a_faster"
    shown = ratio if a_wins else invert(ratio)
    count = Provenance(kind="computed", source="directions of the benchmarks' point ratios")
    same = entry.toward_a if a_wins else entry.toward_b
    numbers = {
        "ratio": ratio,
        "shown": shown,
        "same": Quantity(float(same), "", count),
        "total": Quantity(float(entry.benchmarks), "", count),
        "p": Quantity(entry.beyond_margin_p, "", PROVENANCE),
        "shown_low": Quantity(shown.low, "×", PROVENANCE),
        "shown_high": Quantity(shown.high, "×", PROVENANCE),
    }
    words = {
        "subject": subject,
        "a": a_label,
        "b": b_label,
        "decided_by": "sign test",
        "winner": a_label if a_wins else b_label,
    }
    template = (
        "{subject}: {winner} is faster — {same:int} of {total:int} benchmarks favour it and "
        "its leads beyond ±{margin:pct} are consistent (sign test p = {p:num}); geometric "
        "mean {shown:ratio}, its {confidence:pct} CI {shown_low:ratio}–{shown_high:ratio} "
        "alone would not decide."
    )
    return with_method_numbers(
        Statement(
            kind="verdict",
            template=template,
            numbers=numbers,
            words=words,
            verdict=entry.verdict,
        )
    )


def _with_direction(statement: Statement, entry: CategoryEntry) -> Statement:
    """Adds 'N of M point the same way (sign test p …)' to a measured category verdict."""
    total = entry.toward_a + entry.toward_b
    if total == 0 or entry.sign_test_p is None:
        return statement
    same = max(entry.toward_a, entry.toward_b)
    count = Provenance(kind="computed", source="directions of the benchmarks' point ratios")
    numbers = dict(statement.numbers)
    numbers["same_way"] = Quantity(float(same), "", count)
    numbers["directed"] = Quantity(float(total), "", count)
    if entry.sign_test_p < P_FLOOR:
        numbers["p_floor"] = Quantity(P_FLOOR, "", PROVENANCE)
        clause = (
            " {same_way:int} of {directed:int} point the same way (sign test p < {p_floor:num})."
        )
    else:
        numbers["p"] = Quantity(entry.sign_test_p, "", PROVENANCE)
        clause = " {same_way:int} of {directed:int} point the same way (sign test p = {p:num})."
    return Statement(
        kind=statement.kind,
        template=statement.template + clause,
        numbers=numbers,
        words=statement.words,
        verdict=statement.verdict,
    )


def category_chart(entries: Sequence[CategoryEntry]) -> Chart | None:
    """Per category, A ÷ B with its 95% interval (one chart: the answer at a glance)."""
    shown = [e for e in entries if e.ratio is not None]
    if not shown:
        return None
    return Chart(
        id="category-ratios",
        title="Per category: A ÷ B, geometric mean with 95% interval (> 1: A better)",
        unit="×",
        labels=tuple(e.title for e in shown),
        a_values=tuple(e.ratio.value if e.ratio else None for e in shown),
        b_values=tuple(1.0 for _ in shown),
        lows=tuple(e.ratio.low if e.ratio else None for e in shown),
        highs=tuple(e.ratio.high if e.ratio else None for e in shown),
        notes=tuple("modelled" if e.basis == "modelled" else "measured" for e in shown),
    )
