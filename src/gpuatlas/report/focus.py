"""The workload focus (model, weights, prompt length, provider, engine) that the per-system
profiles are computed for and the modelled sections title their tables with, and the small helpers
both use: an estimator's refusal as None or as its reason, a missing quantity, a modelled
comparison sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.compare import EQUIVALENCE_BAND
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.platform_engines import PlatformEngine, side_engine
from gpuatlas.report.context import ReportContext, ReportOptions
from gpuatlas.report.document import Provenance, Quantity, Statement
from gpuatlas.report.quantities import computed

DEFAULT_MODEL = "llama-3.1-8b"
DEFAULT_WEIGHTS = "fp16"
DEFAULT_ENGINE = "vllm"
OUTPUT_TOKENS = 256
T = TypeVar("T")


def focus_model(context: ReportContext) -> str:
    return context.options.model or DEFAULT_MODEL


def focus_weights(context: ReportContext) -> str:
    return context.options.weights or DEFAULT_WEIGHTS


def engine_of(context: ReportContext, system: GpuSystem) -> PlatformEngine:
    """The LLM engine of a side: the user's (both sides), else what people run on that GPU."""
    return side_engine(system.gpu, context.options.engine)


def prompt_tokens(context: ReportContext) -> int:
    return prompt_tokens_of(context.options.context_tokens)


def prompt_tokens_of(context_tokens: int) -> int:
    """Prompt length for latency figures: half the context, at most 2,048 tokens."""
    return max(128, min(2048, context_tokens // 2))


@dataclass(frozen=True)
class Focus:
    """What a per-system profile depends on among the report options (the cost assumptions
    electricity price and PUE are applied to a pair, not to a profile)."""

    model: str
    weights: str
    prompt_tokens: int
    provider: str | None
    engine: str | None  # the user's engine for both sides; None: each platform's usual one

    @classmethod
    def of(cls, options: ReportOptions) -> Focus:
        return cls(
            model=options.model or DEFAULT_MODEL,
            weights=options.weights or DEFAULT_WEIGHTS,
            prompt_tokens=prompt_tokens_of(options.context_tokens),
            provider=options.provider,
            engine=options.engine,
        )


def attempt(action: Callable[[], T]) -> T | None:
    """The result, or None when the estimator refuses the configuration (e.g. does not fit)."""
    try:
        return action()
    except GpuAtlasError:
        return None


def attempt_or_reason(action: Callable[[], T]) -> T | str:
    """The result, or the estimator's own reason for refusing (to show beside the '—')."""
    try:
        return action()
    except GpuAtlasError as error:
        return str(error)


def missing(reason: str) -> Quantity:
    return Quantity(None, "", Provenance(kind="computed", source=reason))


def modelled_comparison(
    what: str,
    a_label: str,
    b_label: str,
    a: Quantity,
    b: Quantity,
    higher_is_better: bool = True,
    style: str = "num",
) -> Statement | None:
    """'{what} (modelled): {leader} ahead by 1.9× on point estimates — A 47 [26–87] vs …'"""
    if a.value is None or b.value is None or a.value <= 0 or b.value <= 0:
        return None
    a_better = a.value >= b.value if higher_is_better else a.value <= b.value
    big, small = max(a.value, b.value), min(a.value, b.value)
    ratio = computed(big / small, "×", f"{what}: better ÷ worse point estimate", a, b)
    words = {"what": what, "a": a_label, "b": b_label, "leader": a_label if a_better else b_label}
    numbers = {"ratio": ratio, "x": a, "y": b}
    words["unit"] = "" if style == "usd" else f" {a.unit}"
    if big / small <= EQUIVALENCE_BAND:  # never a winner inside the equivalence margin
        numbers["margin"] = Quantity(
            (EQUIVALENCE_BAND - 1) * 100, "%", Provenance(kind="computed", source="±5% margin")
        )
        template = (
            "{what} (modelled): no leader — {ratio:ratio} apart on point estimates, within "
            "±{margin:pct}: {a} {x:" + style + "} vs {b} {y:" + style + "}{unit}; ranges in "
            "the table."
        )
        return Statement(kind="fact", template=template, numbers=numbers, words=words)
    template = (
        "{what} (modelled): {leader} ahead by {ratio:ratio} on point estimates — "
        "{a} {x:" + style + "} vs {b} {y:" + style + "}{unit}; ranges in the table."
    )
    return Statement(kind="fact", template=template, numbers=numbers, words=words)
