"""On-prem total cost of ownership versus renting, and the month buying pays off.

Owning costs: the purchase (GPUs, user-set new or used price; by default the catalog's newest
sourced observation for the condition, `gpuatlas.catalog.purchase_prices`, or for a new GPU
without one its launch price; plus the rest of the server), electricity (TDP × load × PUE ×
$/kWh for the hours it runs), hosting per month, less the residual value at the end. Spread over
the GPU-hours of the period, that is an equivalent $/GPU-hour to set next to a cloud offer.

Break-even: the month when the purchase is paid back by the monthly saving (cloud bill for the
same hours − owning's monthly running cost). The residual value is left out of the break-even
(you only get it when you sell), and included in the total-period comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpuatlas.catalog import purchase_prices
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.purchase_prices import PurchasePrice
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.constants import DEFAULT_PUE, DEFAULT_USD_PER_KWH, DEFAULT_YEARS
from gpuatlas.economics.offer_costs import (
    HOURS_PER_MONTH,
    can_host,
    named_variant_first,
    offer_price,
)
from gpuatlas.economics.power import PowerDraw, electricity_usd, system_power


@dataclass(frozen=True)
class OnPremInputs:
    """What owning a system costs besides the GPUs' purchase price."""

    usd_per_kwh: float = DEFAULT_USD_PER_KWH
    pue: float = DEFAULT_PUE
    years: float = DEFAULT_YEARS
    hours_per_month: float = HOURS_PER_MONTH
    load_fraction: float = 1.0
    server_usd: float = 0.0
    hosting_usd_per_month: float = 0.0
    residual_fraction: float = 0.0

    def not_counted(self) -> str:
        """What the TCO leaves at zero because the user gave no figure (the rest of the server,
        hosting, resale), with the options that price them; '' when every one is priced."""
        parts = [
            words
            for value, words in (
                (self.server_usd, "the rest of the server (CPU, board, PSU; --server-usd)"),
                (
                    self.hosting_usd_per_month,
                    "hosting (rack space, network, staff; --hosting-usd-per-month)",
                ),
                (self.residual_fraction, "resale value at the end (--residual)"),
            )
            if value == 0
        ]
        return "not counted (zero unless set): " + "; ".join(parts) if parts else ""

    def problems(self) -> list[str]:
        checks = [
            (self.usd_per_kwh >= 0, f"$/kWh must be ≥ 0, got {self.usd_per_kwh}"),
            (self.pue >= 1.0, f"PUE must be ≥ 1.0, got {self.pue}"),
            (self.years > 0, f"years must be > 0, got {self.years}"),
            (
                0 < self.hours_per_month <= HOURS_PER_MONTH + 1e-9,
                f"hours per month must be in (0, {HOURS_PER_MONTH:g}], got {self.hours_per_month}",
            ),
            (
                0 < self.load_fraction <= 1.5,
                f"load fraction must be in (0, 1.5], got {self.load_fraction}",
            ),
            (self.server_usd >= 0, f"server cost must be ≥ 0, got {self.server_usd}"),
            (
                self.hosting_usd_per_month >= 0,
                f"hosting must be ≥ 0 $/month, got {self.hosting_usd_per_month}",
            ),
            (
                0 <= self.residual_fraction < 1,
                f"residual value must be in [0, 1), got {self.residual_fraction}",
            ),
        ]
        return [message for ok, message in checks if not ok]


@dataclass(frozen=True)
class OnPremTco:
    system_id: str
    gpu_count: int
    purchase: PurchasePrice | None
    power: PowerDraw
    inputs: OnPremInputs
    capex_usd: float | None
    electricity_usd_per_month: float
    electricity_usd_total: float
    hosting_usd_total: float
    residual_usd: float | None
    total_usd: float | None
    usd_per_gpu_hour: float | None

    @property
    def months(self) -> float:
        return self.inputs.years * 12.0

    @property
    def running_usd_per_month(self) -> float:
        return self.electricity_usd_per_month + self.inputs.hosting_usd_per_month


def default_purchase_price(gpu: Gpu, condition: str = "new") -> PurchasePrice | None:
    """The catalog's price for buying `gpu` in `condition` (new|used), with source and date:
    the newest sourced observation, else (new only) the launch price; None when it has none."""
    return purchase_prices.default_purchase_price(gpu.id, condition)


def onprem_tco(
    system: GpuSystem,
    inputs: OnPremInputs,
    purchase: PurchasePrice | None = None,
    measured_power_w: float | None = None,
    *,
    condition: str = "new",
) -> OnPremTco:
    """Owning `system` for `inputs.years`; capex and totals are None without a purchase price.

    Without `purchase`, the catalog's default price for `condition` (new|used) is used.
    """
    purchase = purchase or default_purchase_price(system.gpu, condition)
    power = system_power(system, inputs.load_fraction, measured_power_w)
    months = inputs.years * 12.0
    electricity_month = electricity_usd(
        power.draw_w, inputs.hours_per_month, inputs.usd_per_kwh, inputs.pue
    )
    hosting = inputs.hosting_usd_per_month * months
    capex = None
    if purchase is not None:
        capex = purchase.usd_per_gpu * system.gpu_count + inputs.server_usd
    residual = None if capex is None else capex * inputs.residual_fraction
    total = None
    per_gpu_hour = None
    if capex is not None and residual is not None:
        total = capex - residual + electricity_month * months + hosting
        per_gpu_hour = total / (months * inputs.hours_per_month * system.gpu_count)
    return OnPremTco(
        system_id=system.id,
        gpu_count=system.gpu_count,
        purchase=purchase,
        power=power,
        inputs=inputs,
        capex_usd=capex,
        electricity_usd_per_month=electricity_month,
        electricity_usd_total=electricity_month * months,
        hosting_usd_total=hosting,
        residual_usd=residual,
        total_usd=total,
        usd_per_gpu_hour=per_gpu_hour,
    )


@dataclass(frozen=True)
class BreakEven:
    """Buying vs renting the same GPUs for the same hours."""

    offer: PriceSnapshot
    cloud_usd_per_month: float
    onprem_running_usd_per_month: float
    saving_usd_per_month: float
    break_even_months: float | None  # None: renting stays cheaper
    cloud_total_usd: float
    onprem_total_usd: float | None

    @property
    def break_even_month(self) -> int | None:
        """The first whole month by whose end buying has paid off."""
        return None if self.break_even_months is None else math.ceil(self.break_even_months)


def break_even(tco: OnPremTco, offer: PriceSnapshot) -> BreakEven:
    """When the purchase pays for itself against renting `offer` for the same hours."""
    cloud_hourly = offer_price(offer, tco.gpu_count).usd_per_hour
    cloud_month = cloud_hourly * tco.inputs.hours_per_month
    saving = cloud_month - tco.running_usd_per_month
    months = None
    if tco.capex_usd is not None and saving > 0:
        months = tco.capex_usd / saving
    return BreakEven(
        offer=offer,
        cloud_usd_per_month=cloud_month,
        onprem_running_usd_per_month=tco.running_usd_per_month,
        saving_usd_per_month=saving,
        break_even_months=months,
        cloud_total_usd=cloud_month * tco.months,
        onprem_total_usd=tco.total_usd,
    )


def cheapest_matching_offer(gpu_count: int, offers: list[PriceSnapshot]) -> PriceSnapshot | None:
    """The offer renting `gpu_count` of the GPU cheapest per hour (offers already filtered),
    among those that name the GPU's exact variant when any does (`named_variant_first`: an
    'A100 80GB' of unnamed form factor is the price only when there is no other, as `cost`
    and `compare` choose)."""
    hosting = [o for o in offers if can_host(o, gpu_count)]
    fitting = named_variant_first(hosting, lambda offer: offer.gpu_match)
    if not fitting:
        return None
    return min(fitting, key=lambda o: offer_price(o, gpu_count).usd_per_hour)
