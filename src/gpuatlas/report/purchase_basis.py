"""Which purchase price the on-prem cost uses for both sides, on one basis (issue 12, item 7):
street prices (the newest dated observation of a new GPU) when both sides have one, else launch
prices (MSRP) when both have one — never a launch price on one side against a street price on
the other without saying so."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.purchase_prices import (
    PurchasePrice,
    launch_price,
    newest_observation,
    purchase_prices,
)
from gpuatlas.catalog.systems import GpuSystem

STREET = "street price, new"
LAUNCH = "launch price (MSRP)"


@dataclass(frozen=True)
class PurchaseBasis:
    a: PurchasePrice | None
    b: PurchasePrice | None
    label: str  # the row label's basis words
    mixed: bool  # the two sides rest on different bases (said in the label)


def _street(system: GpuSystem) -> PurchasePrice | None:
    observations = purchase_prices(system.gpu.id, "new")
    return newest_observation(observations) if observations else None


def _describe(price: PurchasePrice | None) -> str:
    if price is None:
        return "no price"
    if price.origin == "catalog-launch-price":
        return LAUNCH
    return f"{STREET}, observed {price.observed_date}"


def purchase_basis(a: GpuSystem, b: GpuSystem) -> PurchaseBasis:
    street = (_street(a), _street(b))
    if street[0] is not None and street[1] is not None:
        return PurchaseBasis(street[0], street[1], STREET, False)
    launch = (launch_price(a.gpu), launch_price(b.gpu))
    if launch[0] is not None and launch[1] is not None:
        return PurchaseBasis(launch[0], launch[1], LAUNCH, False)
    chosen = (street[0] or launch[0], street[1] or launch[1])
    label = f"A: {_describe(chosen[0])}; B: {_describe(chosen[1])} — different bases"
    return PurchaseBasis(chosen[0], chosen[1], label, True)
