"""Statement builders: each sentence names its numbers; the text is rendered from them."""

from __future__ import annotations

from gpuatlas.report.document import Quantity, Statement
from gpuatlas.report.quantities import computed


def comparative_fact(
    what: str, a_label: str, b_label: str, a: Quantity, b: Quantity, style: str = "num"
) -> Statement | None:
    """'{winner} has 2.02× the {what} of {other} (2,039 vs 1,008 GB/s)'; the larger first."""
    if a.value is None or b.value is None or a.value <= 0 or b.value <= 0:
        return None
    if a.value == b.value:
        return Statement(
            kind="fact",
            template="{a} and {b} have the same {what} ({x:qty}).",
            numbers={"x": a},
            words={"a": a_label, "b": b_label, "what": what},
        )
    a_larger = a.value > b.value
    first, second = (a, b) if a_larger else (b, a)
    labels = (a_label, b_label) if a_larger else (b_label, a_label)
    larger, smaller = max(a.value, b.value), min(a.value, b.value)
    ratio = computed(larger / smaller, "×", f"{what}: larger ÷ smaller", first, second)
    unit = f" {a.unit}" if a.unit else ""
    return Statement(
        kind="fact",
        template="{winner} has {ratio:ratio} the {what} of {other} ({x:"
        + style
        + "} vs {y:"
        + style
        + "}{unit}).",
        numbers={"ratio": ratio, "x": first, "y": second},
        words={"winner": labels[0], "other": labels[1], "what": what, "unit": unit},
    )


def note(template: str, **words: str) -> Statement:
    return Statement(kind="note", template=template, words=dict(words))
