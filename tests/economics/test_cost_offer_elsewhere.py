"""A GPU the chosen tiers/providers do not rent is named with the offer that does: the packaged
table rents the RTX 3090 only on spot, which cost and plan leave out by default (on-demand and
community), and "no offer at the chosen providers/tiers" alone sent users to --prices FILE."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_report
from gpuatlas.catalog.prices import PriceSnapshot, current_prices
from gpuatlas.economics.planning import offer_elsewhere

pytestmark = pytest.mark.unit

DEFAULT_TIERS = ("on-demand", "community")


def test_cost_names_the_cheapest_offer_of_another_tier_and_the_flag() -> None:
    offers = current_prices(gpu_id="rtx-3090")
    cheapest = min(offers, key=lambda o: o.usd_per_gpu_hour)
    assert cheapest.tier not in DEFAULT_TIERS  # the packaged table's state this test is about
    report = cost_report(RentingCostRequest(gpus=["rtx-3090"], workload="rent"))
    assert list(report.no_offer) == [
        "RTX 3090: no offer at the chosen providers/tiers; the cheapest elsewhere is "
        f"${cheapest.usd_per_gpu_hour:.2f}/GPU-h ({cheapest.provider} {cheapest.tier}, "
        f"{cheapest.observed_date}): --tier {cheapest.tier} ranks it"
    ]


def test_an_offer_of_a_chosen_tier_left_out_by_provider_names_the_provider() -> None:
    offer = PriceSnapshot("Akash Network", "rtx-3090", 0.2, "on-demand", "2026-09-20", "hand")
    assert offer_elsewhere("rtx-3090", [offer], DEFAULT_TIERS) == (
        "the cheapest elsewhere is $0.20/GPU-h (Akash Network on-demand, 2026-09-20): "
        "--provider 'Akash Network' ranks it"
    )


def test_a_gpu_no_offer_rents_gets_no_hint() -> None:
    assert offer_elsewhere("rx-7900-xtx", [], DEFAULT_TIERS) is None


def test_a_gpu_no_price_file_rents_points_to_what_owning_one_costs() -> None:
    # the packaged table rents no RTX 4060 Ti 16GB on any tier: a hobbyist asking what it
    # costs is pointed to `gpuatlas tco`, which prices ownership from its purchase and power
    assert current_prices(gpu_id="rtx-4060-ti-16gb") == []  # the table's state this is about
    report = cost_report(RentingCostRequest(gpus=["rtx-4060-ti-16gb"], workload="rent"))
    assert list(report.no_offer) == [
        "RTX 4060 Ti 16GB: no offer at the chosen providers/tiers; no provider in the price "
        "table rents it; what owning one costs per GPU-hour (purchase, power, residual): "
        "gpuatlas tco 'rtx-4060-ti-16gb'"
    ]
