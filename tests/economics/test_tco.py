"""On-prem TCO and break-even against hand calculations."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.tco import OnPremInputs, PurchasePrice, break_even, onprem_tco


def rtx_4090_offer(price: float = 0.34) -> PriceSnapshot:
    return PriceSnapshot("RunPod", "rtx-4090", price, "community", "2026-09-25", "hand")


def test_new_4x_rtx_4090_over_five_years() -> None:
    tco = onprem_tco(resolve_system("4x rtx-4090"), OnPremInputs(usd_per_kwh=0.12, pue=1.3))
    assert tco.purchase is not None and tco.purchase.usd_per_gpu == 1599.0  # catalog MSRP
    assert tco.capex_usd == pytest.approx(4 * 1599.0)
    # 1,800 W × 1.3 × 730 h × $0.12 = $204.98 a month
    assert tco.electricity_usd_per_month == pytest.approx(204.984)
    assert tco.total_usd == pytest.approx(6396.0 + 60 * 204.984)
    assert tco.usd_per_gpu_hour == pytest.approx((6396.0 + 60 * 204.984) / (60 * 730 * 4))


def test_used_rtx_4090_breaks_even_in_the_fourth_month() -> None:
    inputs = OnPremInputs(usd_per_kwh=0.08, pue=1.0, years=1)
    tco = onprem_tco(resolve_system("rtx-4090"), inputs, PurchasePrice(700.0, "user", "used"))
    result = break_even(tco, rtx_4090_offer())
    # cloud $0.34 × 730 = $248.20/month; power 0.45 kW × 730 h × $0.08 = $26.28/month
    assert result.cloud_usd_per_month == pytest.approx(248.2)
    assert result.saving_usd_per_month == pytest.approx(221.92)
    assert result.break_even_months == pytest.approx(700 / 221.92)
    assert result.break_even_month == 4


def test_no_break_even_when_owning_costs_more_to_run() -> None:
    inputs = OnPremInputs(hosting_usd_per_month=500.0)
    tco = onprem_tco(resolve_system("rtx-4090"), inputs, PurchasePrice(700.0, "user", "used"))
    assert break_even(tco, rtx_4090_offer()).break_even_month is None


def test_residual_value_lowers_the_total() -> None:
    system = resolve_system("rtx-4090")
    plain = onprem_tco(system, OnPremInputs())
    resold = onprem_tco(system, OnPremInputs(residual_fraction=0.25))
    assert plain.total_usd is not None and resold.total_usd is not None
    assert plain.total_usd - resold.total_usd == pytest.approx(0.25 * 1599.0)


def test_without_a_purchase_price_only_running_costs_are_given() -> None:
    # the L4 has no launch price in the catalog and no sourced purchase observation
    tco = onprem_tco(resolve_system("2x l4"), OnPremInputs())
    assert tco.purchase is None and tco.total_usd is None
    assert tco.electricity_usd_total == pytest.approx(2 * 72 * 1.3 * 8760 * 5 * 0.12 / 1000)


def test_every_bad_input_is_listed() -> None:
    problems = OnPremInputs(usd_per_kwh=-1, pue=0.5, years=0).problems()
    assert len(problems) == 3
