"""Planner forms (fit, predict, plan) over the answer layer: the request models of
``gpuatlas.app`` parse the query, their builders answer, this module only describes the forms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic.fields import FieldInfo

from gpuatlas.app.fit import FitRequest, fit_document
from gpuatlas.app.plan import ServingPlanRequest, plan_document
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.app.requests import AnswerRequest, parse_request

PlannerKind = Literal["fit", "predict", "plan"]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # an <input type>; "gpu" is text with the GPU list
    step: str = ""


@dataclass(frozen=True)
class Planner:
    request: type[AnswerRequest]
    answer: Callable[[Any], dict[str, Any]]
    fields: tuple[FormField, ...]
    title: str
    button: str


_SYSTEM = FormField("system", "GPU or system", "gpu")
_MODEL = FormField("model", "Model")
_ENGINE = FormField("engine", "Engine")
_KV = FormField("kv_cache", "KV-cache precision")
_NUM_CTX = FormField("num_ctx", "Ollama/llama.cpp context per sequence (num_ctx), tokens", "number")
_HOST_RAM = FormField(
    "host_ram_gb",
    "Host RAM, GB (Ollama/llama.cpp layers on the CPU; empty: 32 desktop, 256 per server GPU)",
    "number",
    "any",
)
PLANNERS: dict[str, Planner] = {
    "fit": Planner(
        FitRequest,
        fit_document,
        (
            _SYSTEM,
            _MODEL,
            FormField("weights", "Weight formats (comma-separated; empty: all)"),
            FormField("context_tokens", "Context, tokens", "number"),
            FormField("concurrency", "Concurrent sequences", "number"),
            _ENGINE,
            _KV,
            _HOST_RAM,
        ),
        "Will it fit?",
        "Check fit",
    ),
    "predict": Planner(
        PredictLlmRequest,
        predict_llm_document,
        (
            _SYSTEM,
            _MODEL,
            FormField("weights", "Weight format"),
            _ENGINE,
            FormField("batch", "Batch, sequences", "number"),
            FormField("input_tokens", "Prompt, tokens", "number"),
            FormField("output_tokens", "Output, tokens", "number"),
            _KV,
            _NUM_CTX,
            _HOST_RAM,
        ),
        "How fast?",
        "Predict",
    ),
    "plan": Planner(
        ServingPlanRequest,
        plan_document,
        (
            _MODEL,
            FormField("rps", "Traffic, requests per second", "number", "any"),
            FormField("weights", "Weight formats (auto: native + worth considering)"),
            FormField("input_tokens", "Mean prompt, tokens", "number"),
            FormField("output_tokens", "Mean output, tokens", "number"),
            FormField(
                "mean_output_tokens",
                "Mean output when requests stop at end-of-sequence, tokens (the output: a cap)",
                "number",
                "any",
            ),
            FormField(
                "gpus", "Only these GPUs or systems (comma-separated, e.g. 2x rtx-4090; empty: all)"
            ),
            FormField("gpu_counts", "GPUs per replica to try (comma-separated)"),
            FormField("p95_ttft_ms", "p95 time to first token, ms", "number", "any"),
            FormField("p95_tpot_ms", "p95 time per output token, ms", "number", "any"),
            _ENGINE,
            _NUM_CTX,
            _HOST_RAM,
            FormField(
                "parallel",
                "Ollama/llama.cpp request slots per replica (OLLAMA_NUM_PARALLEL), empty: default",
                "number",
            ),
            FormField("max_usd_per_hour", "Budget, USD per hour (empty: none)", "number", "any"),
            FormField("max_usd_per_month", "Budget, USD per month (empty: none)", "number", "any"),
            FormField("top", "Options to list", "number"),
        ),
        "Cheapest setup",
        "Find the cheapest",
    ),
}


def parse(kind: str, query: Mapping[str, str]) -> AnswerRequest:
    """The planner's request from query parameters (every problem at once)."""
    return parse_request(PLANNERS[kind].request, query)


def answer(kind: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The answer document, identical to the CLI's --json for the same request."""
    return PLANNERS[kind].answer(parse(kind, query))


def example_query(kind: str) -> dict[str, str]:
    """What the empty form shows: each field's example, else its default."""
    request = PLANNERS[kind].request
    return {
        form_field.name: _text(_example(request.model_fields[form_field.name]))
        for form_field in PLANNERS[kind].fields
    }


def example_url(kind: str) -> str:
    query = {key: value for key, value in example_query(kind).items() if value}
    return f"/plan/{kind}.json?{urlencode(query)}"


def _example(info: FieldInfo) -> Any:
    if info.examples:
        return info.examples[0]
    return info.get_default(call_default_factory=True)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_with_problems(kind: str, query: Mapping[str, str], problems: list[str]) -> dict[str, Any]:
    """The planner page of a request that could not be answered: the form as the visitor typed
    it (to correct it in place) and every problem; no answer."""
    typed = {name: str(value) for name, value in query.items() if name in _field_names(kind)}
    data = page_data(kind, {})
    return {**data, "values": {**data["values"], **typed}, "problems": problems}


def _field_names(kind: str) -> set[str]:
    return {form_field.name for form_field in PLANNERS[kind].fields}


def page_data(kind: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The planner page: its form (submitted values or examples) and, when submitted, the
    answer document."""
    submitted = bool(query)
    planner = PLANNERS[kind]
    values = example_query(kind)
    result = None
    if submitted:
        request = parse(kind, query)
        values = {name: _text(value) for name, value in request.model_dump().items()}
        result = planner.answer(request)
    return {
        "kind": kind,
        "planner": planner,
        "values": values,
        "submitted": submitted,
        "result": result,
        "planners": {name: p.title for name, p in PLANNERS.items()},
    }
