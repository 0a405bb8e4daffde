"""`cost --max-usd-per-month` as users state a budget ("$300 a month"): the same offers kept as
the hourly limit over 730 h (offer_costs.HOURS_PER_MONTH), and a note for a GPU it drops."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_report
from gpuatlas.economics.offer_costs import HOURS_PER_MONTH
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit


def _report(**budget: float):  # type: ignore[no-untyped-def]
    request = RentingCostRequest(gpus=["rtx-4090", "h100-sxm"], workload="rent", **budget)
    return cost_report(request)


def test_a_monthly_budget_keeps_the_offers_of_its_hourly_equivalent() -> None:
    monthly = _report(max_usd_per_month=300.0)
    hourly = _report(max_usd_per_hour=300.0 / HOURS_PER_MONTH)
    kept = [(r.system_id, r.price.label, r.price.usd_per_hour) for r in monthly.durations]
    assert kept == [(r.system_id, r.price.label, r.price.usd_per_hour) for r in hourly.durations]
    assert kept and all(price * HOURS_PER_MONTH <= 300.0 for _, _, price in kept)
    assert any(
        n.startswith("H100 SXM5: no offer within $0.41/h ($300/month)") for n in monthly.no_offer
    )


def test_both_limits_given_the_tighter_wins() -> None:
    both = _report(max_usd_per_hour=5.0, max_usd_per_month=300.0)
    assert {r.system_id for r in both.durations} == {"rtx-4090"}


def test_a_monthly_budget_of_zero_is_a_request_problem() -> None:
    with pytest.raises(InvalidRequestError, match="max USD per month must be > 0, got 0"):
        _report(max_usd_per_month=0.0)
