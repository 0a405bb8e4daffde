"""`tco`: on-prem total cost of ownership and the break-even month against the cloud."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from gpuatlas.app.documents import plain, versioned
from gpuatlas.app.economics_requests import TcoRequest, run_tco
from gpuatlas.app.requests import FloatList, OfferChoice, TextList
from gpuatlas.economics.constants import DEFAULT_PUE, DEFAULT_USD_PER_KWH, DEFAULT_YEARS
from gpuatlas.economics.tco import OnPremInputs

if TYPE_CHECKING:
    from gpuatlas.app.economics_requests import TcoRow
    from gpuatlas.economics.tco import OnPremInputs

SCHEMA_ANSWER = "tco"
ELECTRICITY_NOTE = (
    "same hours at the same load; compare energy per unit of work with "
    "`gpuatlas cost --workload llm` (tokens/J)"
)


MAX_YEARS = 100.0  # a longer ownership is a typo, not a plan (1e308 printed 6 lines of digits)


class OnPremTcoRequest(OfferChoice):
    """Systems to own and what owning them costs (the defaults of `gpuatlas tco`). Limits are
    checked by the economics layer, which reports every problem at once."""

    gpus: TextList = Field(
        default_factory=list,
        max_length=50,
        description="GPUs or systems ('rtx-4090', '2x a100-80gb-sxm').",
    )
    purchase_usd: FloatList = Field(
        default_factory=list,
        max_length=50,
        description="Price per GPU, one per GPU (default: newest sourced catalog price for the "
        "condition; new: else the launch price; used: none without a used observation).",
    )
    condition: str = Field(
        "new",
        min_length=1,
        max_length=10,
        description="new or used: picks the default purchase price.",
    )
    measured_w: FloatList = Field(
        default_factory=list,
        max_length=50,
        description="Measured draw of each system in W (else TDP).",
    )
    server_usd: float = Field(0.0, description="Rest of the server (CPU, board, PSU…), once.")
    hosting_usd_per_month: float = Field(0.0, description="Rack space, network, staff per month.")
    usd_per_kwh: float = Field(DEFAULT_USD_PER_KWH, description="Electricity price, USD per kWh.")
    pue: float = Field(DEFAULT_PUE, description="Power usage effectiveness (cooling overhead).")
    years: float = Field(DEFAULT_YEARS, le=MAX_YEARS, description="Years of use.")
    residual: float = Field(0.0, description="Resale value at the end, fraction of purchase.")
    load: float = Field(1.0, description="Average draw as a fraction of TDP.")
    hours_per_month: float = Field(730.0, description="Hours in use per month (730 = 24/7).")

    def inputs(self) -> OnPremInputs:
        return OnPremInputs(
            self.usd_per_kwh,
            self.pue,
            self.years,
            self.hours_per_month,
            self.load,
            self.server_usd,
            self.hosting_usd_per_month,
            self.residual,
        )


def tco_rows(request: OnPremTcoRequest, price_files: Sequence[Path] = ()) -> list[TcoRow]:
    """Each system's TCO and break-even (the CLI's table)."""
    return run_tco(
        TcoRequest(
            tuple(request.gpus),
            request.inputs(),
            tuple(request.purchase_usd),
            request.condition,
            tuple(request.providers),
            tuple(request.tiers),
            tuple(price_files),
            tuple(request.measured_w),
        )
    )


def tco_document(request: OnPremTcoRequest, price_files: Sequence[Path] = ()) -> dict[str, Any]:
    """``gpuatlas.tco/2``: the request, one entry per system (TCO, power at the wall,
    electricity per year, break-even; ``break_even.within_years``: whether it comes before
    the years owned end), the electricity difference of each pair, and ``not_counted``
    (the costs left at zero because no figure was given)."""
    rows = tco_rows(request, price_files)
    inputs = request.inputs()
    return versioned(
        SCHEMA_ANSWER,
        {
            "request": request.model_dump(),
            "systems": [_system_json(row, inputs.years) for row in rows],
            "comparisons": electricity_comparisons(rows),
            "not_counted": inputs.not_counted() or None,
        },
    )


def _system_json(row: TcoRow, years: float) -> dict[str, Any]:
    document: dict[str, Any] = plain(row)
    tco = row.tco
    document["facility_w"] = tco.power.draw_w * tco.inputs.pue
    document["electricity_usd_per_year"] = tco.electricity_usd_per_month * 12
    if row.break_even is not None:
        months = row.break_even.break_even_months
        document["break_even"]["break_even_month"] = row.break_even.break_even_month
        document["break_even"]["within_years"] = months is not None and months <= years * 12
    return document


def electricity_comparisons(rows: Sequence[TcoRow]) -> list[dict[str, Any]]:
    """Each pair of systems: the electricity difference per year and over the years."""
    comparisons = []
    for first_index, first in enumerate(rows):
        for other in rows[first_index + 1 :]:
            monthly = first.tco.electricity_usd_per_month - other.tco.electricity_usd_per_month
            yearly = monthly * 12
            comparisons.append(
                {
                    "system": first.tco.system_id,
                    "versus": other.tco.system_id,
                    "electricity_difference_usd_per_year": yearly,
                    "electricity_difference_usd_total": yearly * first.tco.inputs.years,
                    "note": ELECTRICITY_NOTE,
                }
            )
    return comparisons
