"""`fleet`: several models sharing traffic, each on its cheapest pool vs one GPU type for all."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from gpuatlas.app.documents import plain, versioned
from gpuatlas.app.economics_requests import FleetRequest, provenance, run_fleet
from gpuatlas.app.plan import ServedTraffic
from gpuatlas.app.requests import (
    CHECKED_POSITIVE,
    HOST_RAM_HELP,
    NUM_CTX_HELP,
    TextList,
    arrival_rate_field,
)
from gpuatlas.economics.budget import Budget

if TYPE_CHECKING:
    from gpuatlas.economics.fleet import FleetPlan

SCHEMA_ANSWER = "fleet"


class FleetPlanRequest(ServedTraffic):
    """Models and their shares of one traffic (the defaults of `gpuatlas fleet`)."""

    models: TextList = Field(
        min_length=1,
        max_length=50,
        examples=[["llama-2-13b=0.7", "llama-3.1-8b=0.3"]],
        description="MODEL=SHARE, e.g. llama-2-13b=0.7.",
    )
    rps: float = arrival_rate_field("Total arrival rate, requests per second", 10.0)
    num_ctx: int | None = Field(None, ge=1, le=100_000_000, description=NUM_CTX_HELP)
    host_ram_gb: float | None = Field(None, gt=0, le=1_000_000, description=HOST_RAM_HELP)
    max_usd_per_hour: float | None = Field(
        None,
        le=1_000_000,
        json_schema_extra=CHECKED_POSITIVE,
        description="Budget: whether the cheaper fleet costs at most this many USD per hour.",
    )
    max_usd_per_month: float | None = Field(
        None,
        le=1_000_000_000,
        json_schema_extra=CHECKED_POSITIVE,
        description="Budget: whether the cheaper fleet costs at most this many USD per month.",
    )


def fleet_plan(request: FleetPlanRequest, price_files: Sequence[Path] = ()) -> FleetPlan:
    """The mixed fleet and the best single-type fleet (the CLI's tables)."""
    return run_fleet(
        FleetRequest(
            tuple(request.models),
            tuple(request.weights),
            request.rps,
            request.input_tokens,
            request.output_tokens,
            request.slo(),
            request.engine,
            tuple(request.gpus),
            tuple(request.gpu_counts),
            tuple(request.providers),
            tuple(request.tiers),
            tuple(price_files),
            request.num_ctx,
            Budget(request.max_usd_per_hour, request.max_usd_per_month),
            request.host_ram_gb,
            request.mean_output_tokens,
        )
    )


def fleet_document(request: FleetPlanRequest, price_files: Sequence[Path] = ()) -> dict[str, Any]:
    """``gpuatlas.fleet/2``: the request, the mixed fleet, the single-type fleet, the saving
    and provenance (money in USD per month)."""
    return versioned(
        SCHEMA_ANSWER,
        {
            "request": request.model_dump(),
            **plain(fleet_plan(request, price_files)),
            "provenance": provenance(),
        },
    )
