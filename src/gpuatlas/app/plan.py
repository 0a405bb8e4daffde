"""`plan`: the cheapest GPU setup that meets p95 latency targets at a traffic."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from gpuatlas.app.documents import plain, versioned
from gpuatlas.app.economics_requests import PlanRequest, provenance, run_plan
from gpuatlas.app.engine_names import engine_shown_on
from gpuatlas.app.requests import (
    CHECKED_MINIMUM,
    CHECKED_POSITIVE,
    DEFAULT_GPU_COUNTS,
    HOST_RAM_HELP,
    NUM_CTX_HELP,
    PARALLEL_HELP,
    CountList,
    LatencyTargets,
    OfferChoice,
    TextList,
    arrival_rate_field,
    mean_output_tokens_field,
    serving_engine_field,
)
from gpuatlas.economics.budget import Budget
from gpuatlas.economics.slo import DEFAULT_TTFT_SOURCE

if TYPE_CHECKING:
    from gpuatlas.economics.planning import Plan

SCHEMA_ANSWER = "plan"


class ServedTraffic(LatencyTargets, OfferChoice):
    """Traffic to serve on GPUs from the catalog, priced by cloud offers (plan and fleet)."""

    weights: TextList = Field(
        ["auto"],
        min_length=1,
        max_length=20,
        description="Formats; auto: the native format plus the formats "
        "worth considering; all: every format.",
    )
    input_tokens: float = Field(
        512.0,
        le=1_000_000,
        json_schema_extra=CHECKED_MINIMUM,
        description="Mean prompt tokens per request.",
    )
    output_tokens: float = Field(
        256.0,
        le=1_000_000,
        json_schema_extra=CHECKED_MINIMUM,
        description="Mean output tokens per request.",
    )
    mean_output_tokens: float | None = mean_output_tokens_field()
    engine: str = serving_engine_field()
    gpus: TextList = Field(
        default_factory=list,
        max_length=50,
        description="Only these GPUs or systems; none: every catalog GPU.",
    )
    gpu_counts: CountList = Field(
        list(DEFAULT_GPU_COUNTS), min_length=1, max_length=8, description="GPUs per replica."
    )


class ServingPlanRequest(ServedTraffic):
    """A model's traffic and its latency targets (the defaults of `gpuatlas plan` and
    /plan/plan)."""

    names_an_llm: ClassVar[bool] = True

    model: str = Field(
        min_length=1, max_length=200, examples=["llama-3.1-8b"], description="Model to serve."
    )
    rps: float = arrival_rate_field("Arrival rate, requests per second", 5.0)
    length_distribution: Literal["fixed", "exponential", "uniform", "lognormal"] = "fixed"
    arrival: Literal["poisson", "gamma"] = "poisson"
    burstiness: float = Field(
        1.0,
        le=1000,
        json_schema_extra=CHECKED_POSITIVE,
        description="Gamma shape: < 1 burstier than Poisson.",
    )
    top: int = Field(10, le=200, json_schema_extra=CHECKED_MINIMUM, description="Options to list.")
    num_ctx: int | None = Field(None, ge=1, le=100_000_000, description=NUM_CTX_HELP)
    parallel: int | None = Field(None, ge=1, le=4096, description=PARALLEL_HELP)
    host_ram_gb: float | None = Field(None, gt=0, le=1_000_000, description=HOST_RAM_HELP)
    max_usd_per_hour: float | None = Field(
        None,
        le=1_000_000,
        json_schema_extra=CHECKED_POSITIVE,
        description="Budget: only setups costing at most this many USD per hour in total.",
    )
    max_usd_per_month: float | None = Field(
        None,
        le=1_000_000_000,
        json_schema_extra=CHECKED_POSITIVE,
        description="Budget: only setups costing at most this many USD per month (730 h).",
    )

    def budget(self) -> Budget:
        return Budget(self.max_usd_per_hour, self.max_usd_per_month)


def plan_document(
    request: ServingPlanRequest, price_files: Sequence[Path] = (), replicas: int | None = None
) -> dict[str, Any]:
    """``gpuatlas.plan/2``: the targets (``slo``; ``slo_text`` in words with where a default
    came from, ``slo_targets_text`` the targets alone, ``slo_default_source`` the source of the
    default p95 TTFT or null), the ranked options (each with its label and offer label), the
    explanation, every rejected candidate but those without an offer, and provenance.

    CLI-only arguments: ``price_files`` (extra price CSVs; the web never reads files) and
    ``replicas`` (simulate every candidate at exactly that many replicas instead of searching:
    a simulation per candidate, too costly to offer to every web visitor)."""
    plan = serving_plan(request, price_files, replicas)
    return versioned(
        SCHEMA_ANSWER,
        {
            "request": request.model_dump(),
            "replicas": replicas,
            "workload": plan.workload,
            "slo": plan.slo,
            "slo_text": plan.slo.describe(),
            "slo_targets_text": plan.slo.targets_text(),
            "slo_default_source": DEFAULT_TTFT_SOURCE if plan.slo.default_ttft else None,
            "feasible": plan.feasible,
            "within_budget": plan.within_budget,
            "budget_note": plan.budget_note,
            "message": plan.message,
            "engine_notes": list(plan.engine_notes),
            "options": [
                {
                    **plain(option),
                    "label": option.label,
                    "offer_label": option.offer_label,
                    "engine_shown": engine_shown_on(option.engine, option.gpu),
                }
                for option in plan.options
            ],
            "explanation": plan.explanation,
            "rejected": [r for r in plan.rejected if r.kind != "no-offer"],
            "candidates": plan.candidates,
            "simulated": plan.simulated,
            "provenance": provenance(),
        },
    )


def serving_plan(
    request: ServingPlanRequest, price_files: Sequence[Path] = (), replicas: int | None = None
) -> Plan:
    """The plan itself (the CLI renders it as a table; plan_document is its JSON)."""
    return run_plan(
        PlanRequest(
            request.model,
            tuple(request.weights),
            request.rps,
            request.input_tokens,
            request.output_tokens,
            request.slo(),
            request.engine,
            request.length_distribution,
            request.arrival,
            request.burstiness,
            tuple(request.gpus),
            tuple(request.gpu_counts),
            tuple(request.providers),
            tuple(request.tiers),
            request.top,
            tuple(price_files),
            replicas,
            request.num_ctx,
            request.budget(),
            request.parallel,
            request.host_ram_gb,
            request.mean_output_tokens,
        )
    )
