"""Planner forms (fit, predict, plan): validate the query, call the estimation layer, and
return JSON-able results. No estimation logic lives here."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.errors import InvalidRequestError

PLAN_GPU_COUNTS = (1, 2, 4, 8)


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class FitForm(_Form):
    gpu: str = Field(default="rtx-4090", min_length=1, max_length=100)
    model: str = Field(default="llama-3.1-8b", min_length=1, max_length=200)
    weights: str = Field(default="auto", min_length=1, max_length=40)
    context_tokens: int = Field(default=8192, ge=1, le=2_000_000)
    concurrency: int = Field(default=1, ge=1, le=100_000)
    engine: str = Field(default="auto", min_length=1, max_length=40)
    kv_cache: str = Field(default="fp16", min_length=1, max_length=20)


class PredictForm(_Form):
    gpu: str = Field(default="rtx-4090", min_length=1, max_length=100)
    model: str = Field(default="llama-3.1-8b", min_length=1, max_length=200)
    weights: str = Field(default="auto", min_length=1, max_length=40)
    engine: str = Field(default="auto", min_length=1, max_length=40)
    batch: int = Field(default=1, ge=1, le=4096)
    input_tokens: int = Field(default=512, ge=1, le=1_000_000)
    output_tokens: int = Field(default=256, ge=1, le=1_000_000)


class PlanForm(_Form):
    model: str = Field(default="llama-3.1-8b", min_length=1, max_length=200)
    weights: str = Field(default="auto", min_length=1, max_length=40)
    requests_per_s: float = Field(default=5.0, gt=0, le=100_000)
    input_tokens: int = Field(default=1024, ge=1, le=1_000_000)
    output_tokens: int = Field(default=256, ge=1, le=1_000_000)
    p95_ttft_ms: float | None = Field(default=1000.0, gt=0, le=3_600_000)
    p95_tpot_ms: float | None = Field(default=100.0, gt=0, le=3_600_000)
    engine: str = Field(default="vllm", min_length=1, max_length=40)
    top: int = Field(default=5, ge=1, le=20)


PlannerKind = Literal["fit", "predict", "plan"]
FORMS: dict[str, type[_Form]] = {"fit": FitForm, "predict": PredictForm, "plan": PlanForm}


def parse_form(kind: str, query: dict[str, str]) -> _Form:
    """The form from query parameters; InvalidRequestError lists every bad field at once."""
    cleaned = {key: value for key, value in query.items() if value != ""}
    try:
        return FORMS[kind].model_validate(cleaned)
    except ValidationError as error:
        raise InvalidRequestError([
            f"{'.'.join(str(p) for p in issue['loc'])}: {issue['msg']}"
            for issue in error.errors()
        ]) from None


def run_planner(kind: str, form: _Form) -> dict[str, Any]:
    if isinstance(form, FitForm):
        return _fit(form)
    if isinstance(form, PredictForm):
        return _predict(form)
    if isinstance(form, PlanForm):
        return _plan(form)
    raise InvalidRequestError([f"unknown planner {kind!r}"])


def _fit(form: FitForm) -> dict[str, Any]:
    from gpuatlas.catalog.models import resolve_model_reference
    from gpuatlas.estimate.fit_answer import answer_fit

    answer = answer_fit(form.gpu, resolve_model_reference(form.model, allow_hub=False),
                        [form.weights], engine=form.engine,
                        context_tokens=form.context_tokens, concurrency=form.concurrency,
                        kv_cache=form.kv_cache)
    return {**answer.detail.to_json(), **answer.to_json()}


def _predict(form: PredictForm) -> dict[str, Any]:
    from gpuatlas.catalog.model_weights import choose_engine, choose_weights
    from gpuatlas.catalog.models import resolve_model_reference
    from gpuatlas.estimate import api

    reference = resolve_model_reference(form.model, allow_hub=False)
    choice = choose_weights(form.weights, reference)
    prediction = api.predict_llm(form.gpu, reference.model, choice.format_id,
                                 choose_engine(form.engine, choice), batch=form.batch,
                                 input_tokens=form.input_tokens,
                                 output_tokens=form.output_tokens)
    return {**prediction.to_json(), "weights_assumed": choice.describe()}


def _plan(form: PlanForm) -> dict[str, Any]:
    from gpuatlas.catalog.prices import current_prices
    from gpuatlas.estimate.economics_requests import weight_format_ids
    from gpuatlas.estimate.economics_serving import Slo, Workload
    from gpuatlas.estimate.planning import plan_options

    problems: list[str] = []
    formats = weight_format_ids([form.weights], problems, form.model, form.engine)
    if problems:
        raise InvalidRequestError(problems)
    workload = Workload(form.model, formats[0], form.requests_per_s, form.input_tokens,
                        form.output_tokens, engine=form.engine)
    slo = Slo(p95_ttft_ms=form.p95_ttft_ms, p95_tpot_ms=form.p95_tpot_ms)
    if slo.problems():
        raise InvalidRequestError(slo.problems())
    plan = plan_options(workload, slo, _candidate_systems(), current_prices(), top=form.top,
                        weights=formats)
    return {
        "workload": dataclasses.asdict(workload), "slo": slo.describe(), "weights": formats,
        "feasible": plan.feasible, "message": plan.message,
        "options": [{**dataclasses.asdict(o), "label": o.label, "offer_label": o.offer_label}
                    for o in plan.options],
        "explanation": list(plan.explanation.lines) if plan.explanation else [],
        "rejected": len(plan.rejected), "candidates": plan.candidates,
    }


def _candidate_systems() -> list[Any]:
    from gpuatlas.catalog.gpus import all_gpus
    from gpuatlas.catalog.systems import resolve_system
    from gpuatlas.errors import GpuAtlasError

    systems = []
    for gpu in all_gpus():
        for count in PLAN_GPU_COUNTS:
            try:
                systems.append(resolve_system(f"{count}x {gpu.id}"))
            except GpuAtlasError:
                continue
    return systems
