"""The workload focus (model, weights, prompt length, provider, engine) that the per-system
profiles are computed for and the modelled sections title their tables with, and the small helpers
both use: an estimator's refusal as None or as its reason, a missing quantity, a modelled
comparison sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from gpuatlas.catalog.model_kind import not_an_llm
from gpuatlas.catalog.model_names import resolve_model_argument
from gpuatlas.catalog.model_weights import (
    AUTO_WEIGHTS,
    UNSTATED_FORMAT,
    WeightsChoice,
    choose_weights,
    is_auto,
)
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.compare import EQUIVALENCE_BAND
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.platform_engines import PlatformEngine, side_engine
from gpuatlas.report.context import ReportContext, ReportOptions
from gpuatlas.report.document import Provenance, Quantity, Statement
from gpuatlas.report.option_defaults import SERVING_OUTPUT_TOKENS
from gpuatlas.report.phrasing import format_usd
from gpuatlas.report.quantities import computed

DEFAULT_MODEL = "llama-3.1-8b"
DEFAULT_WEIGHTS = AUTO_WEIGHTS  # the checkpoint's own format (`catalog.model_weights`)
DEFAULT_ENGINE = "vllm"
OUTPUT_TOKENS = SERVING_OUTPUT_TOKENS
T = TypeVar("T")


def focus_model(context: ReportContext) -> str:
    """The LLM the LLM figures are for: the requested model, or the default LLM when none is
    named or the one named is not an LLM (an image model's figures are in the image section)."""
    return llm_focus(context.options)


def llm_focus(options: ReportOptions) -> str:
    if options.model is None or not_an_llm(options.model):
        return DEFAULT_MODEL
    return options.model


def image_focus(options: ReportOptions) -> str:
    """The id of the image (diffusion) model the request names, else ''."""
    if options.model is None or not_an_llm(options.model) != "diffusion":
        return ""
    return resolve_model_argument(options.model, allow_hub=False).model.id


def focus_weights(context: ReportContext) -> str:
    """The format id the LLM figures are computed in (the model's native one by default)."""
    return weights_choice(context.options).format_id


def weights_choice(options: ReportOptions) -> WeightsChoice:
    """The weight format of the focus model, with why: `--weights` when named (with no model
    named too: the default LLM's), else (none or
    'auto') the checkpoint's own, as `fit` and `predict` choose it with the user's engine (run
    by Ollama or llama.cpp: the GGUF build that engine runs; for the default LLM that stands in
    for an image model, its own format)."""
    model = llm_focus(options)
    # --weights is the default LLM's when no model is named ('compare A B -w q4_k_m' kept
    # bf16); an image model's format is the image section's
    weights = options.weights if options.model in (None, model) else None
    return _weights_choice(model, weights or DEFAULT_WEIGHTS, options.engine or options.pair_engine)


@lru_cache(maxsize=256)
def _weights_choice(model: str, weights: str, engine: str | None = None) -> WeightsChoice:
    try:
        reference = resolve_model_argument(model, allow_hub=False)
    except GpuAtlasError:  # an unknown model is reported by the options check
        if is_auto(weights):
            return WeightsChoice(UNSTATED_FORMAT, UNSTATED_FORMAT, "unknown model; fp16 assumed")
        return WeightsChoice(weights, weights, "as requested")
    return choose_weights(weights, reference, engine)


def native_weights_on(model: str, engine: str | None = None) -> WeightsChoice:
    """The format `model` runs in on `engine` when the user names none (llama.cpp: the GGUF
    type it takes by default; None: the checkpoint's own), with why."""
    return _weights_choice(model, AUTO_WEIGHTS, engine)


def weights_statement(context: ReportContext) -> Statement:
    """'Weights assumed: mxfp4 experts + bf16 (from the checkpoint's quantization_config).'"""
    choice = weights_choice(context.options)
    words = {"model": focus_model(context), "label": choice.label, "reason": choice.reason}
    return Statement(
        kind="fact", words=words, template="Weights assumed for {model}: {label} ({reason})."
    )


def engine_of(context: ReportContext, system: GpuSystem) -> PlatformEngine:
    """The LLM engine of a side: the user's (both sides), else the checkpoint's own (Ollama for
    an Ollama tag, llama.cpp for a GGUF file), else what people run on that GPU."""
    return side_engine(system.gpu, focus_engine(context.options))


def focus_engine(options: ReportOptions) -> str | None:
    """The engine for both sides: the user's, else the one the format is made for (the
    checkpoint's native one, or a --weights GGUF type: llama.cpp, as `predict` chooses it; a
    GGUF Q4_K_M was answered on vLLM); None: each platform's usual one."""
    if options.engine:
        return options.engine
    return weights_choice(options).engine  # a GGUF or EXL2 format: the engine that loads it


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
    image_model: str = ""  # the image model the request names (its id), else ''
    num_ctx: int | None = None  # Ollama/llama.cpp context per sequence, where a side runs them
    weights_given: bool = False  # --weights named a format (else the checkpoint's own)
    # requests that stop at end-of-sequence: the output tokens each generates on average
    # (below OUTPUT_TOKENS); None: each generates OUTPUT_TOKENS
    mean_output_tokens: float | None = None

    @classmethod
    def of(cls, options: ReportOptions) -> Focus:
        return cls(
            model=llm_focus(options),
            weights=weights_choice(options).format_id,
            prompt_tokens=prompt_tokens_of(options.context_tokens),
            provider=options.provider,
            engine=focus_engine(options),
            image_model=image_focus(options),
            num_ctx=options.num_ctx,
            weights_given=bool(options.weights) and not is_auto(options.weights or ""),
            mean_output_tokens=options.mean_output_tokens,
        )

    @property
    def output_per_request(self) -> float:
        """The output tokens a serving request generates on average: the mean when requests
        stop at end-of-sequence below OUTPUT_TOKENS, else OUTPUT_TOKENS."""
        mean = self.mean_output_tokens
        return OUTPUT_TOKENS if mean is None or mean >= OUTPUT_TOKENS else mean


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


def cents_hide_the_ratio(a_usd: float, b_usd: float) -> bool:
    """Whether two positive amounts written to the cent (format_usd) show a ratio more than
    the equivalence margin away from their own: '$0.02 vs $0.02' for 1.13x, '$0.03 vs $0.08'
    (2.67x) for 2.38x."""
    shown_a, shown_b = (float(format_usd(v).lstrip("$").replace(",", "")) for v in (a_usd, b_usd))
    if shown_a <= 0 or shown_b <= 0:
        return True
    true_ratio = max(a_usd, b_usd) / min(a_usd, b_usd)
    shown_ratio = max(shown_a, shown_b) / min(shown_a, shown_b)
    return abs(shown_ratio / true_ratio - 1) > EQUIVALENCE_BAND - 1


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
    pair = "{a} {x:" + style + "} vs {b} {y:" + style + "}{unit}"
    if style == "usd" and cents_hide_the_ratio(a.value, b.value):
        # amounts the cent rounds alike ($0.02 vs $0.02) or out of their ratio ($0.03 vs
        # $0.08 for 2.38x): both to 3 significant digits, so the numbers show the lead the
        # sentence names
        pair = "{a} ${x:num} vs {b} ${y:num}{unit}"
    template = (
        "{what} (modelled): {leader} ahead by {ratio:ratio} on point estimates — "
        + pair
        + "; ranges in the table."
    )
    return Statement(kind="fact", template=template, numbers=numbers, words=words)
