"""`plan`: the cheapest GPU setup that meets p95 latency targets at a traffic."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from gpuatlas.app.documents import plain, versioned
from gpuatlas.app.economics_requests import DEFAULT_GPU_COUNTS, DEFAULT_TIERS
from gpuatlas.app.requests import AnswerRequest, split_list

SCHEMA_ANSWER = "plan"
TextList = Annotated[list[str], BeforeValidator(split_list)]
GpuCount = Annotated[int, Field(ge=1, le=1024)]
CountList = Annotated[list[GpuCount], BeforeValidator(split_list)]


class ServingPlanRequest(AnswerRequest):
    """A model's traffic and its latency targets (the defaults of `gpuatlas plan` and
    /plan/plan)."""

    model: str = Field(min_length=1, max_length=200, examples=["llama-3.1-8b"],
                       description="Model to serve.")
    requests_per_s: float = Field(gt=0, le=100_000, examples=[5.0],
                                  description="Arrival rate, requests per second.")
    weights: TextList = Field(["auto"], min_length=1, max_length=20,
                              description="Formats; auto: the native format plus the formats "
                                          "worth considering; all: every format.")
    input_tokens: float = Field(512.0, ge=1, le=1_000_000,
                                description="Mean prompt tokens per request.")
    output_tokens: float = Field(256.0, ge=1, le=1_000_000,
                                 description="Mean output tokens per request.")
    length_distribution: Literal["fixed", "exponential", "uniform", "lognormal"] = "fixed"
    arrival: Literal["poisson", "gamma"] = "poisson"
    burstiness: float = Field(1.0, gt=0, le=1000,
                              description="Gamma shape: < 1 burstier than Poisson.")
    p95_ttft_ms: float | None = Field(None, gt=0, le=3_600_000, examples=[1000.0],
                                      description="p95 time-to-first-token target, ms.")
    p95_tpot_ms: float | None = Field(None, gt=0, le=3_600_000, examples=[100.0],
                                      description="p95 time-per-output-token target, ms.")
    p95_e2e_ms: float | None = Field(None, gt=0, le=36_000_000,
                                     description="p95 end-to-end latency target, ms.")
    engine: str = Field("vllm", min_length=1, max_length=40, description="Serving engine.")
    gpus: TextList = Field(default_factory=list, max_length=50,
                           description="Only these GPUs or systems; none: every catalog GPU.")
    gpu_counts: CountList = Field(list(DEFAULT_GPU_COUNTS), min_length=1, max_length=8,
                                  description="GPUs per replica.")
    providers: TextList = Field(default_factory=list, max_length=50,
                                description="Only these providers; none: all.")
    tiers: TextList = Field(list(DEFAULT_TIERS), min_length=1, max_length=4,
                            description="Price tiers: on-demand, community, spot, reserved.")
    top: int = Field(10, ge=1, le=200, description="Options to list.")


def plan_document(request: ServingPlanRequest, price_files: Sequence[Path] = (),
                  replicas: int | None = None) -> dict[str, Any]:
    """``gpuatlas.plan/1``: the ranked options (each with its label and offer label), the
    explanation, every rejected candidate but those without an offer, and provenance.

    CLI-only arguments: ``price_files`` (extra price CSVs; the web never reads files) and
    ``replicas`` (simulate every candidate at exactly that many replicas instead of searching:
    a simulation per candidate, too costly to offer to every web visitor)."""
    from gpuatlas.app.economics_requests import PlanRequest, provenance, run_plan
    from gpuatlas.economics.serving_candidate import Slo

    plan = run_plan(PlanRequest(
        request.model, tuple(request.weights), request.requests_per_s, request.input_tokens,
        request.output_tokens, Slo(request.p95_ttft_ms, request.p95_tpot_ms, request.p95_e2e_ms),
        request.engine, request.length_distribution, request.arrival, request.burstiness,
        tuple(request.gpus), tuple(request.gpu_counts), tuple(request.providers),
        tuple(request.tiers), request.top, tuple(price_files), replicas))
    return versioned(SCHEMA_ANSWER, {
        "request": request.model_dump(), "replicas": replicas,
        "workload": plan.workload, "slo": plan.slo,
        "slo_text": plan.slo.describe(), "feasible": plan.feasible, "message": plan.message,
        "options": [{**plain(option), "label": option.label, "offer_label": option.offer_label}
                    for option in plan.options],
        "explanation": plan.explanation,
        "rejected": [r for r in plan.rejected if r.kind != "no-offer"],
        "candidates": plan.candidates, "simulated": plan.simulated,
        "provenance": provenance(),
    })
