"""`fleet --max-usd-per-month` / `--max-usd-per-hour`: every pool of a fleet is already the
cheapest that meets the targets, so a budget is a verdict on the cheaper of the mixed and the
single-type fleet: within, or how much over, in the same words plan uses for the limit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.app.economics_requests import FleetRequest, run_fleet
from gpuatlas.economics.budget import Budget, fleet_within_budget
from gpuatlas.economics.fleet import FleetPlan, SingleTypeFleet
from gpuatlas.economics.offer_costs import HOURS_PER_MONTH
from gpuatlas.economics.serving_candidate import Slo
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit

FLEET = FleetPlan(
    mixed=(),
    mixed_monthly_cost_usd=420.0,
    single_type=SingleTypeFleet("rtx-4090", "RunPod", "community", 496.0, ()),
    saving_usd_per_month=76.0,
    saving_pct=15.3,
)


def test_no_budget_leaves_the_fleet_as_it_is() -> None:
    assert fleet_within_budget(FLEET, Budget()) == FLEET


def test_the_cheaper_fleet_within_the_monthly_budget() -> None:
    found = fleet_within_budget(FLEET, Budget(max_usd_per_month=500.0))
    assert found.within_budget is True
    assert found.budget_note is not None
    assert found.budget_note.startswith("Budget $0.68/h ($500/month): the mixed fleet costs $420")
    assert "within" in found.budget_note


def test_over_the_budget_says_by_how_much() -> None:
    found = fleet_within_budget(FLEET, Budget(max_usd_per_hour=300.0 / HOURS_PER_MONTH))
    assert found.within_budget is False
    assert found.budget_note is not None and "$120/month over" in found.budget_note


def test_a_single_type_fleet_cheaper_than_the_mixed_one_is_the_one_judged() -> None:
    cheaper_single = replace(FLEET, mixed_monthly_cost_usd=600.0)
    found = fleet_within_budget(cheaper_single, Budget(max_usd_per_month=500.0))
    assert found.within_budget is True
    assert found.budget_note is not None and "one GPU type costs $496/month" in found.budget_note


def test_a_fleet_request_lists_a_bad_budget() -> None:
    request = FleetRequest(
        ("llama-3.1-8b=1",), (), 1.0, 512, 256, Slo(), budget=Budget(max_usd_per_month=-5.0)
    )
    with pytest.raises(InvalidRequestError, match="max USD per month must be > 0, got -5"):
        run_fleet(request)
