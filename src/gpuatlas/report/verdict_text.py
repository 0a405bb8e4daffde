"""Statements for verdicts (per benchmark, per category, tallies), generated from the numbers."""

from __future__ import annotations

from gpuatlas.compare import EQUIVALENCE_BAND, Interval, Tally, Verdict
from gpuatlas.report.document import Provenance, Quantity, Statement

VERDICT_PHRASES = {
    Verdict.A_FASTER: "{winner} is faster",
    Verdict.B_FASTER: "{winner} is faster",
    Verdict.ROUGHLY_EQUAL: "roughly equal",
    Verdict.INCONCLUSIVE: "no verdict",
}


METHOD_PROVENANCE = Provenance(
    kind="computed", source="verdict rule: 95% intervals, ±5% equivalence margin"
)
METHOD_NUMBERS = {
    "confidence": Quantity(95.0, "%", METHOD_PROVENANCE),
    "margin": Quantity((EQUIVALENCE_BAND - 1) * 100, "%", METHOD_PROVENANCE),
}


def with_method_numbers(statement: Statement) -> Statement:
    """The rule's own numbers (95%, ±5%) as numbers of the statement, where its text uses them."""
    used = {k: v for k, v in METHOD_NUMBERS.items() if "{" + k + ":" in statement.template}
    if not used:
        return statement
    return Statement(
        kind=statement.kind,
        template=statement.template,
        numbers={**statement.numbers, **used},
        words=statement.words,
        verdict=statement.verdict,
        question=statement.question,
    )


def ratio_quantity(interval: Interval, provenance: Provenance) -> Quantity:
    return Quantity(interval.value, "×", provenance, interval.low, interval.high)


def invert(quantity: Quantity) -> Quantity:
    """B over A from A over B (the interval's ends swap)."""
    return _inverted(quantity)


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
            "({confidence:pct} CI {shown_low:ratio}–{shown_high:ratio})."
        )
    elif verdict is Verdict.ROUGHLY_EQUAL:
        numbers.update(_bounds(ratio, "ratio"))
        template = (
            "{subject}: roughly equal — {a} ÷ {b} = {ratio:ratio} "
            "({confidence:pct} CI {ratio_low:ratio}–{ratio_high:ratio}, within ±{margin:pct})."
        )
    else:
        template = _inconclusive_template(ratio, words, numbers, reason)
    return with_method_numbers(
        Statement(
            kind="verdict", template=template, numbers=numbers, words=words, verdict=verdict.value
        )
    )


def _inconclusive_template(
    ratio: Quantity, words: dict[str, str], numbers: dict[str, Quantity], reason: str | None
) -> str:
    """No verdict: the leader is named only when the point ratio lies outside the ±5%
    equivalence margin (a 1.00× ratio has no leader)."""
    assert ratio.value is not None
    if 1 / EQUIVALENCE_BAND <= ratio.value <= EQUIVALENCE_BAND:
        numbers.update(_bounds(ratio, "ratio"))
        words["reason"] = reason or "the 95% interval crosses the ±5% band"
        if ratio.low is not None:
            return (
                "{subject}: no verdict — {a} ÷ {b} = {ratio:ratio}, within ±{margin:pct}, but "
                "the {confidence:pct} CI {ratio_low:ratio}–{ratio_high:ratio} is too wide to "
                "call them equal."
            )
        return (
            "{subject}: no verdict — {a} ÷ {b} = {ratio:ratio}, within ±{margin:pct}, but {reason}."
        )
    leader_is_a = ratio.value >= 1
    shown = ratio if leader_is_a else _inverted(ratio)
    words["leader"] = words["a"] if leader_is_a else words["b"]
    words["reason"] = reason or "the 95% interval crosses the ±5% band"
    numbers.update({"shown": shown, **_bounds(shown, "shown")})
    if shown.low is not None:
        return (
            "{subject}: no verdict — {leader} leads at {shown:ratio} but the {confidence:pct} CI "
            "{shown_low:ratio}–{shown_high:ratio} does not clear the ±{margin:pct} band."
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


VS_MODEL_TEMPLATES = {
    Verdict.A_FASTER: "{subject} ({basis}): {winner} ahead against the model's band — "
    "{shown:ratio} {other} ({confidence:pct} range {shown_low:ratio}–{shown_high:ratio}).",
    Verdict.B_FASTER: "{subject} ({basis}): {winner} ahead against the model's band — "
    "{shown:ratio} {other} ({confidence:pct} range {shown_low:ratio}–{shown_high:ratio}).",
    Verdict.ROUGHLY_EQUAL: "{subject} ({basis}): within ±{margin:pct} against the model's band — "
    "{a} ÷ {b} = {ratio:ratio} ({confidence:pct} range {ratio_low:ratio}–{ratio_high:ratio}).",
    Verdict.INCONCLUSIVE: "{subject} ({basis}): undecided against the model's band — "
    "{a} ÷ {b} = {ratio:ratio}, {confidence:pct} range {ratio_low:ratio}–{ratio_high:ratio}.",
}
BASIS_WORDS = {
    "measured_vs_modelled": "measured vs modelled",
    "modelled": "modelled on both sides",
}


def vs_model_statement(
    subject: str, direction: Verdict, ratio: Quantity, a_label: str, b_label: str, basis: str
) -> Statement:
    """A verdict where a side is modelled: kind ``verdict``, verdict ``vs_model``; the outcome
    on the interval is in words['model_verdict'] and never reads as a measured win."""
    assert ratio.value is not None and ratio.low is not None and ratio.high is not None
    words = {
        "subject": subject,
        "a": a_label,
        "b": b_label,
        "basis": BASIS_WORDS.get(basis, basis),
        "model_verdict": direction.value,
    }
    numbers = {"ratio": ratio, **_bounds(ratio, "ratio")}
    if direction in (Verdict.A_FASTER, Verdict.B_FASTER):
        a_wins = direction is Verdict.A_FASTER
        shown = ratio if a_wins else _inverted(ratio)
        words["winner"], words["other"] = (a_label, b_label) if a_wins else (b_label, a_label)
        numbers = {"ratio": ratio, "shown": shown, **_bounds(shown, "shown")}
    return with_method_numbers(
        Statement(
            kind="verdict",
            template=VS_MODEL_TEMPLATES[direction],
            numbers=numbers,
            words=words,
            verdict="vs_model",
        )
    )


def headline_statement(tally: Tally, a_label: str, b_label: str) -> Statement:
    """'RTX 4090 wins 22 of 24 benchmarks measured on both, RTX 3090 wins 0, 2 undecided' —
    the side with more wins first (A first on a tie)."""
    provenance = Provenance(kind="computed", source="count of per-benchmark measured verdicts")

    def count(value: int) -> Quantity:
        return Quantity(float(value), "", provenance)

    a_first = tally.a_wins >= tally.b_wins
    first, second = (a_label, b_label) if a_first else (b_label, a_label)
    first_wins, second_wins = (
        (tally.a_wins, tally.b_wins) if a_first else (tally.b_wins, tally.a_wins)
    )
    return Statement(
        kind="fact",
        template=(
            "{first} wins {first_wins:int} of {total:int} benchmarks measured on both, "
            "{second} wins {second_wins:int}, {undecided:int} undecided ({ties:int} roughly "
            "equal, {inconclusive:int} inconclusive)."
        ),
        numbers={
            "first_wins": count(first_wins),
            "second_wins": count(second_wins),
            "total": count(tally.total),
            "undecided": count(tally.ties + tally.inconclusive),
            "ties": count(tally.ties),
            "inconclusive": count(tally.inconclusive),
        },
        words={"first": first, "second": second},
    )
