"""The sentence a comparison shows when its two sides run different LLM engines."""

from __future__ import annotations

from gpuatlas.performance.platform_engines import PlatformEngine
from gpuatlas.report.document import Statement


def engines_statement(
    a_label: str, a: PlatformEngine, b_label: str, b: PlatformEngine
) -> Statement | None:
    """Says that the sides run different engines, and why each runs its own; None when equal."""
    if a.engine == b.engine:
        return None
    reasons = "; ".join(
        f"{label}: {engine.why}" for label, engine in ((a_label, a), (b_label, b)) if engine.why
    )
    template = (
        "The two sides run different engines — {a} on {a_engine}, {b} on {b_engine} — "
        "each the one people run on that platform{reasons}; the modelled gap includes "
        "the engines' difference, not only the hardware's."
    )
    words = {
        "a": a_label,
        "b": b_label,
        "a_engine": a.label,
        "b_engine": b.label,
        "reasons": f" ({reasons})" if reasons else "",
    }
    return Statement(kind="fact", template=template, words=words)
