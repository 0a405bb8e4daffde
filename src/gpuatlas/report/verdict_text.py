"""Statements for verdicts (per benchmark, per category, tallies), generated from the numbers."""

from __future__ import annotations

from gpuatlas.compare import Interval, Tally, Verdict
from gpuatlas.report.document import Provenance, Quantity, Statement

VERDICT_PHRASES = {
    Verdict.A_FASTER: "{winner} is faster",
    Verdict.B_FASTER: "{winner} is faster",
    Verdict.ROUGHLY_EQUAL: "roughly equal",
    Verdict.INCONCLUSIVE: "no verdict",
}


def ratio_quantity(interval: Interval, provenance: Provenance) -> Quantity:
    return Quantity(interval.value, "×", provenance, interval.low, interval.high)


def _inverted(quantity: Quantity) -> Quantity:
    assert quantity.value is not None
    low = 1 / quantity.high if quantity.high else None
    high = 1 / quantity.low if quantity.low else None
    return Quantity(1 / quantity.value, "×", quantity.provenance, low, high)


def _bounds(quantity: Quantity, prefix: str) -> dict[str, Quantity]:
    if quantity.low is None or quantity.high is None:
        return {}
    return {
        f"{prefix}_low": Quantity(quantity.low, "×", quantity.provenance),
        f"{prefix}_high": Quantity(quantity.high, "×", quantity.provenance),
    }


def verdict_statement(
    subject: str,
    verdict: Verdict,
    ratio: Quantity,
    a_label: str,
    b_label: str,
    reason: str | None = None,
) -> Statement:
    """'{subject}: RTX 4090 is faster — 1.31× [1.20×–1.45×] ...' with the winner's ratio ≥ 1.
    `ratio` is A over B oriented so > 1 means A is better; the statement keeps it as 'ratio'."""
    assert ratio.value is not None
    words = {"subject": subject, "a": a_label, "b": b_label}
    numbers = {"ratio": ratio}
    if verdict in (Verdict.A_FASTER, Verdict.B_FASTER):
        shown = ratio if verdict is Verdict.A_FASTER else _inverted(ratio)
        words["winner"] = a_label if verdict is Verdict.A_FASTER else b_label
        words["other"] = b_label if verdict is Verdict.A_FASTER else a_label
        numbers.update({"shown": shown, **_bounds(shown, "shown")})
        template = (
            "{subject}: {winner} is faster — {shown:ratio} {other} "
            "(95% CI {shown_low:ratio}–{shown_high:ratio})."
        )
    elif verdict is Verdict.ROUGHLY_EQUAL:
        numbers.update(_bounds(ratio, "ratio"))
        template = (
            "{subject}: roughly equal — {a} ÷ {b} = {ratio:ratio} "
            "(95% CI {ratio_low:ratio}–{ratio_high:ratio}, within ±5%)."
        )
    else:
        template = _inconclusive_template(ratio, words, numbers, reason)
    return Statement(
        kind="verdict", template=template, numbers=numbers, words=words, verdict=verdict.value
    )


def _inconclusive_template(
    ratio: Quantity, words: dict[str, str], numbers: dict[str, Quantity], reason: str | None
) -> str:
    assert ratio.value is not None
    leader_is_a = ratio.value >= 1
    shown = ratio if leader_is_a else _inverted(ratio)
    words["leader"] = words["a"] if leader_is_a else words["b"]
    words["reason"] = reason or "the 95% interval crosses the ±5% band"
    numbers.update({"shown": shown, **_bounds(shown, "shown")})
    if shown.low is not None:
        return (
            "{subject}: no verdict — {leader} leads at {shown:ratio} but the 95% CI "
            "{shown_low:ratio}–{shown_high:ratio} does not clear the ±5% band."
        )
    return "{subject}: no verdict — {leader} leads at {shown:ratio}, but {reason}."


def tally_statement(tally: Tally, a_label: str, b_label: str, scope: str) -> Statement:
    provenance = Provenance(kind="computed", source="count of per-benchmark verdicts")

    def count(value: int) -> Quantity:
        return Quantity(float(value), "", provenance)

    return Statement(
        kind="fact",
        template=(
            "{scope}: {a} faster in {a_wins:int}, {b} faster in {b_wins:int}, roughly "
            "equal in {ties:int}, inconclusive in {inconclusive:int} of {total:int} "
            "benchmarks measured on both."
        ),
        numbers={
            "a_wins": count(tally.a_wins),
            "b_wins": count(tally.b_wins),
            "ties": count(tally.ties),
            "inconclusive": count(tally.inconclusive),
            "total": count(tally.total),
        },
        words={"a": a_label, "b": b_label, "scope": scope},
    )
