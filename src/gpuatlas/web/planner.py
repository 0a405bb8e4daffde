"""Planner forms (fit, predict, plan, and the cost page's) over the answer layer: the request
models of ``gpuatlas.app`` parse the query, their builders answer, this module only describes
the forms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic.fields import FieldInfo

from gpuatlas.app.cost import RentingCostRequest, cost_document
from gpuatlas.app.fit import FitRequest, fit_document
from gpuatlas.app.plan import ServingPlanRequest, plan_document
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.app.requests import AnswerRequest, parse_request

PlannerKind = Literal["fit", "predict", "plan", "cost"]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # an <input type>; "gpu" is text with the GPU list, "gpus" a list of them
    step: str = ""


@dataclass(frozen=True)
class Planner:
    request: type[AnswerRequest]
    answer: Callable[[Any], dict[str, Any]]
    fields: tuple[FormField, ...]
    title: str
    button: str
    path: str  # the form's page; its answer document is at path + ".json"
    # what the empty form shows where the request model has no example (the model's own
    # examples and defaults otherwise)
    examples: Mapping[str, str] = field(default_factory=dict)


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
_P95_TTFT = FormField("p95_ttft_ms", "p95 time to first token, ms", "number", "any")
_P95_TPOT = FormField("p95_tpot_ms", "p95 time per output token, ms", "number", "any")
_PARALLEL = FormField(
    "parallel",
    "Ollama/llama.cpp request slots per replica (OLLAMA_NUM_PARALLEL), empty: default",
    "number",
)
_BUDGET = (
    FormField("max_usd_per_hour", "Budget, USD per hour (empty: none)", "number", "any"),
    FormField("max_usd_per_month", "Budget, USD per month (empty: none)", "number", "any"),
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
        "/plan/fit",
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
            FormField("flash_attention", "llama.cpp/Ollama flash attention (auto, on, off)"),
            FormField("depth", "Tokens already in the KV cache (llama-bench -d), tokens", "number"),
            _HOST_RAM,
        ),
        "How fast?",
        "Predict",
        "/plan/predict",
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
            _P95_TTFT,
            _P95_TPOT,
            _ENGINE,
            _NUM_CTX,
            _HOST_RAM,
            _PARALLEL,
            *_BUDGET,
            FormField("top", "Options to list", "number"),
        ),
        "Cheapest setup",
        "Find the cheapest",
        "/plan/plan",
    ),
}
# The cost page: the same form and answer machinery, on its own page (/cost, /cost.json), not a
# planner tab. Its fields are /cost.json's (gpuatlas.cost/2, as `gpuatlas cost --json`).
COST = Planner(
    RentingCostRequest,
    cost_document,
    (
        FormField(
            "gpus", "GPUs or systems (comma-separated, e.g. 2x rtx-4090; empty: all)", "gpus"
        ),
        FormField("model", "Model (for serving, image or training costs)"),
        FormField("workload", "Work to price: rent, llm, image or training"),
        FormField("weights", "Weight format (auto: the checkpoint's own)"),
        _ENGINE,
        FormField("rps", "Traffic, requests per second (llm; empty: one replica)", "number", "any"),
        FormField("input_tokens", "Prompt, tokens per request", "number"),
        FormField("output_tokens", "Output, tokens per request", "number"),
        FormField(
            "utilization",
            "Share of full load, 0–1 (llm; empty: the most the latency target allows)",
            "number",
            "any",
        ),
        _P95_TTFT,
        _P95_TPOT,
        FormField("p95_e2e_ms", "p95 end-to-end latency, ms", "number", "any"),
        FormField("resolution", "Image side, px (image)", "number"),
        FormField("steps", "Denoising steps (image)", "number"),
        FormField("train_tokens", "Training tokens (training)", "number", "any"),
        FormField("method", "Training method: full, lora or qlora"),
        FormField("framework", "Training framework"),
        FormField("hours", "Job length, hours (renting)", "number", "any"),
        FormField("days", "Service length, days (renting)", "number", "any"),
        FormField("providers", "Only these providers (comma-separated; empty: all)"),
        FormField("tiers", "Price tiers (comma-separated)"),
        *_BUDGET,
        _NUM_CTX,
        _PARALLEL,
        _HOST_RAM,
    ),
    "What does it cost?",
    "Price it",
    "/cost",
    {"gpus": "rtx-4090, 2x rtx-4090", "model": "llama-3.1-8b", "workload": "llm"},
)
FORMS: dict[str, Planner] = {**PLANNERS, "cost": COST}


def parse(kind: str, query: Mapping[str, str]) -> AnswerRequest:
    """The planner's request from query parameters (every problem at once)."""
    return parse_request(FORMS[kind].request, query)


def answer(kind: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The answer document, identical to the CLI's --json for the same request."""
    return FORMS[kind].answer(parse(kind, query))


def example_query(kind: str) -> dict[str, str]:
    """What the empty form shows: each field's example, else its default."""
    form = FORMS[kind]
    return {
        form_field.name: form.examples.get(form_field.name)
        or _text(_example(form.request.model_fields[form_field.name]))
        for form_field in form.fields
    }


def example_url(kind: str) -> str:
    query = {key: value for key, value in example_query(kind).items() if value}
    return f"{FORMS[kind].path}.json?{urlencode(query)}"


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


@cache
def input_limits(kind: str) -> dict[str, dict[str, str]]:
    """Each number field's HTML min/max from its request model's JSON schema (the limits the
    request or the answer layer checks), so a browser refuses what the server would: an
    exclusive minimum of a whole number becomes the next whole number, of a decimal the bound
    itself (HTML has no exclusive bound; the server still refuses it)."""
    properties = FORMS[kind].request.model_json_schema()["properties"]
    return {
        form_field.name: _schema_limits(properties[form_field.name])
        for form_field in FORMS[kind].fields
        if form_field.kind == "number"
    }


def _schema_limits(schema: Mapping[str, Any]) -> dict[str, str]:
    merged: dict[str, Any] = {**schema}
    for alternative in schema.get("anyOf", []):
        merged.update({k: v for k, v in alternative.items() if k != "type" or v != "null"})
    limits = {}
    if "minimum" in merged:
        limits["min"] = _text(float(merged["minimum"]))
    elif "exclusiveMinimum" in merged:
        bound = float(merged["exclusiveMinimum"])
        limits["min"] = _text(bound + 1 if merged.get("type") == "integer" else bound)
    if "maximum" in merged:
        limits["max"] = _text(float(merged["maximum"]))
    return limits


def _field_names(kind: str) -> set[str]:
    return {form_field.name for form_field in FORMS[kind].fields}


def page_data(kind: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The planner page: its form (submitted values or examples) and, when submitted, the
    answer document."""
    submitted = bool(query)
    planner = FORMS[kind]
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
        "limits": input_limits(kind),
    }
