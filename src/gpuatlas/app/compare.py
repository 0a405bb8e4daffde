"""`compare`: the full report for two GPUs or systems (the Comparison document,
``gpuatlas.comparison/1``, built by gpuatlas.report; this module holds its request)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from gpuatlas.app.requests import CHECKED_MINIMUM, HOST_RAM_HELP, NUM_CTX_HELP, AnswerRequest
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import InvalidRequestError, UnknownNameError
from gpuatlas.report import build_comparison, comparison_dict
from gpuatlas.report.context import (
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_ELECTRICITY_USD_PER_KWH,
    DEFAULT_PUE,
)
from gpuatlas.report.option_defaults import SERVING_OUTPUT_TOKENS

if TYPE_CHECKING:
    from gpuatlas.report.document import Comparison


class ComparisonOptions(AnswerRequest):
    """The workload focus and cost assumptions of a comparison (the defaults of
    `gpuatlas compare` and /compare/{a}/{b})."""

    model: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        examples=["llama-3.1-8b"],
        description="Workload focus model.",
    )
    weights: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        description="Weight format (fp16, Q4_K_M…); none or auto: the "
        "checkpoint's own (quantization_config, name, "
        "Ollama tag).",
    )
    context_tokens: int = Field(
        DEFAULT_CONTEXT_TOKENS, ge=256, le=2_000_000, description="Context length in tokens."
    )
    provider: str | None = Field(
        None, min_length=1, max_length=100, description="Price from this provider."
    )
    electricity_usd_per_kwh: float = Field(
        DEFAULT_ELECTRICITY_USD_PER_KWH, ge=0, le=100, description="USD per kWh for on-prem costs."
    )
    pue: float = Field(DEFAULT_PUE, ge=1.0, le=10, description="Power usage effectiveness.")
    engine: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="LLM engine for both sides; none: each platform's usual one.",
    )
    num_ctx: int | None = Field(
        None,
        ge=1,
        le=100_000_000,
        description=f"{NUM_CTX_HELP} Applies to the sides that run them.",
    )
    host_ram_gb: float | None = Field(
        None, gt=0, le=1_000_000, description=f"{HOST_RAM_HELP} Both sides' machines."
    )
    mean_output_tokens: float | None = Field(
        None,
        le=1_000_000,
        json_schema_extra=CHECKED_MINIMUM,
        description=f"Requests that stop at end-of-sequence before the report's "
        f"{SERVING_OUTPUT_TOKENS} output tokens (a client without --ignore-eos): the tokens each "
        "generates on average, from 1 to that cap; the serving, scenario and cost figures are "
        "for requests of this mean length, as `predict serving` costs a steady stream. None: "
        "each generates all of them.",
    )
    training_method: Literal["full", "lora", "qlora"] | None = Field(
        None,
        description="Fine-tuning method timed on both sides (full, lora or qlora, as "
        "`predict train --method`); none: the most complete that fits both.",
    )

    @field_validator("training_method", mode="before")
    @classmethod
    def _method_in_lower_case(cls, value: object) -> object:
        """'LoRA' and 'QLoRA' as the papers write them."""
        return value.strip().lower() if isinstance(value, str) else value


class ComparisonRequest(ComparisonOptions):
    """Two GPUs or systems and the comparison's options."""

    a: str = Field(
        min_length=1,
        max_length=100,
        examples=["rtx-4090"],
        description="GPU or system A, e.g. a100-80gb-sxm or '4x rtx-4090'.",
    )
    b: str = Field(
        min_length=1, max_length=100, examples=["rtx-3090"], description="GPU or system B."
    )

    def options(self) -> dict[str, Any]:
        """The report options, defaults applied (what the report builder takes)."""
        return self.model_dump(exclude={"a", "b"})


class UnknownSidesError(UnknownNameError):
    """One or both sides of a pair do not resolve: each is a problem of its own, with the close
    matches of the first (the web answers 404)."""

    def __init__(self, errors: list[UnknownNameError]):
        first = errors[0]
        super().__init__(first.kind, first.name, first.candidates, first.ambiguous)
        self.problems = [str(error) for error in errors]
        self.args = ("; ".join(self.problems),)


def check_sides(a: str, b: str) -> None:
    """Unknown GPU or system names, both at once (other problems, such as a malformed system or
    a bad option, are the report builder's to report)."""
    errors = []
    for name in (a, b):
        try:
            resolve_system(name)
        except UnknownNameError as error:
            errors.append(error)
    if errors:
        raise UnknownSidesError(errors)


def comparison(request: ComparisonRequest) -> Comparison:
    """The Comparison itself (the CLI renders it as text, Markdown, HTML or JSON).

    Unknown sides alone are an `UnknownSidesError` (the web answers 404 with close matches);
    when the options are wrong too, every problem is reported at once (the builder's error)."""
    try:
        check_sides(request.a, request.b)
    except UnknownSidesError as sides:
        try:
            build_comparison(request.a, request.b, **request.options())
        except InvalidRequestError as everything:
            if len(everything.problems) > len(sides.problems):
                raise everything from None
        raise
    return build_comparison(request.a, request.b, **request.options())


def comparison_document(request: ComparisonRequest) -> dict[str, Any]:
    """``gpuatlas.comparison/1``: every section, scores and verdicts, the options it used
    (``options``) and when it was generated (``generated_at``)."""
    return comparison_dict(comparison(request))
