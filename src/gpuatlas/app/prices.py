"""`prices`: cloud prices per GPU-hour, the newest snapshot of each offer (or every snapshot)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from gpuatlas.app.documents import plain, versioned
from gpuatlas.app.requests import AnswerRequest
from gpuatlas.catalog import prices as price_catalog
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import system_name

SCHEMA_ANSWER = "prices"


class PricesRequest(AnswerRequest):
    """Which offers (the defaults of `gpuatlas prices` and /prices.json)."""

    gpu: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        examples=["h100-sxm"],
        description="GPU id or name; all GPUs when omitted.",
    )
    provider: str | None = Field(
        None, min_length=1, max_length=100, description="Only this provider."
    )
    tier: Literal["on-demand", "spot", "reserved", "community"] | None = Field(
        None, description="Only this price tier."
    )
    history: bool = Field(False, description="Every snapshot, not only the newest.")


def prices_document(request: PricesRequest, price_files: Sequence[Path] = ()) -> dict[str, Any]:
    """``gpuatlas.prices/1``: the request, the GPU id it resolved to, and one row per snapshot
    (USD per GPU-hour, provider, tier, observed date and source), cheapest first; each row
    names its GPU (``gpu_name``). ``price_files`` (extra CSVs) is for the CLI only."""
    gpu_id = resolve_gpu(request.gpu).id if request.gpu else None
    lister = price_catalog.price_history if request.history else price_catalog.current_prices
    snapshots = lister(gpu_id, request.provider, request.tier, price_files)
    return versioned(
        SCHEMA_ANSWER,
        {
            "request": request.model_dump(),
            "gpu_id": gpu_id,
            "history": request.history,
            "prices": [
                {**plain(snapshot), "gpu_name": _gpu_name(snapshot.gpu_id)}
                for snapshot in snapshots
            ],
        },
    )


def _gpu_name(gpu_id: str) -> str:
    return system_name(gpu_id)
