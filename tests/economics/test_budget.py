"""A budget as users state it ($/h or $/month): the plan keeps only setups within it, and when
none is, names the cheapest that meets the targets with its price; `cost` keeps only offers
within it. Prices here are the test's own offers, so the kept/dropped sets follow from them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gpuatlas.app.economics_requests import CostRequest, PlanRequest, run_cost, run_plan
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.budget import Budget, within_budget
from gpuatlas.economics.offer_costs import HOURS_PER_MONTH
from gpuatlas.economics.planning import plan_options
from gpuatlas.economics.serving_candidate import Slo, Workload
from gpuatlas.errors import InvalidRequestError

sys.path.insert(0, str(Path(__file__).parent))
from fakes import fake_factory  # noqa: E402

OFFERS = [
    PriceSnapshot("RunPod", "rtx-4090", 0.34, "community", "2026-09-25", "hand"),
    PriceSnapshot("RunPod", "a100-80gb-pcie", 1.19, "community", "2026-11-09", "hand"),
    PriceSnapshot("Lambda", "h100-sxm", 3.99, "on-demand", "2026-09-20", "hand", 8),
]
SYSTEMS = [build_system(resolve_gpu(g), 1) for g in ("rtx-4090", "a100-80gb-pcie", "h100-sxm")]
WORKLOAD = Workload("llama-2-13b", "int8", 1.0, 512, 256)  # the fake is a 13B model


def _plan():
    slo = Slo(p95_tpot_ms=200)
    return plan_options(WORKLOAD, slo, SYSTEMS, OFFERS, ["int8"], 10, fake_factory())


@pytest.mark.unit
def test_a_monthly_budget_is_the_hourly_one_over_730_hours() -> None:
    assert Budget(max_usd_per_month=730.0).usd_per_hour == pytest.approx(730.0 / HOURS_PER_MONTH)
    assert pytest.approx(730.0, abs=0.5) == HOURS_PER_MONTH
    assert Budget(2.0, 730.0).usd_per_hour == pytest.approx(1.0)  # the tighter limit wins
    assert Budget().usd_per_hour is None


@pytest.mark.unit
def test_a_budget_of_zero_or_less_is_a_request_problem() -> None:
    assert Budget(0.0, -5.0).problems() == [
        "max USD per hour must be > 0, got 0",
        "max USD per month must be > 0, got -5",
    ]
    assert Budget(2.0, 1500.0).problems() == []


@pytest.mark.unit
def test_the_plan_keeps_only_setups_within_the_budget() -> None:
    plan = _plan()
    assert {o.gpu for o in plan.options} >= {"rtx-4090", "a100-80gb-pcie"}
    kept = within_budget(plan, Budget(max_usd_per_hour=1.0))
    assert kept.options and all(o.usd_per_hour <= 1.0 for o in kept.options)
    assert {o.gpu for o in kept.options} == {"rtx-4090"}  # $0.34/h kept, $1.19 and $3.99 dropped
    assert kept.within_budget and kept.message is None
    assert plan.explanation is not None and kept.explanation is not None
    runner_up = next(o for o in plan.options[1:] if o.label == plan.explanation.runner_up)
    runner_line = next(line for line in kept.explanation.lines if line.startswith("Runner-up:"))
    assert runner_line.endswith(" It is over the budget.") == (runner_up.usd_per_hour > 1.0)
    assert runner_up.usd_per_hour > 1.0  # the runner-up is on other hardware: the A100 or H100
    assert within_budget(plan, Budget()) is plan  # no budget: the plan as it was


@pytest.mark.unit
def test_no_setup_within_the_budget_names_the_cheapest_and_its_price() -> None:
    plan = _plan()
    cheapest = min((o for o in plan.options if o.meets_slo), key=lambda o: o.usd_per_hour)
    result = within_budget(plan, Budget(max_usd_per_month=100.0))  # $0.137/h < $0.34/h
    assert not result.within_budget
    assert result.options == (cheapest,)  # never an empty answer
    assert result.message is not None
    assert result.message.startswith("No setup within $0.14/h ($100/month)")
    assert "rtx-4090 int8" in result.message and "at $0.34/h ($248/month)" in result.message
    assert result.explanation is not None  # the setup shown is over the budget: no 'Winner'
    assert not any(line.startswith("Winner:") for line in result.explanation.lines)
    assert result.explanation.lines[0].startswith("Over the budget, the cheapest: 1 × RTX 4090")


@pytest.mark.unit
def test_a_plan_request_lists_a_bad_budget_with_its_other_problems() -> None:
    request = PlanRequest(
        "llama-3.1-8b", ("auto",), -1.0, 512, 256, Slo(), budget=Budget(max_usd_per_hour=0.0)
    )
    with pytest.raises(InvalidRequestError) as error:
        run_plan(request)
    text = str(error.value)
    assert "max USD per hour must be > 0, got 0" in text
    assert "request rate" in text


@pytest.mark.unit
def test_cost_keeps_only_offers_within_the_budget_and_names_what_it_dropped() -> None:
    report = run_cost(
        CostRequest(("rtx-4090", "h100-sxm"), workload="rent", budget=Budget(max_usd_per_hour=0.5))
    )
    assert {row.system_id for row in report.durations} == {"rtx-4090"}
    assert all(row.price.usd_per_hour <= 0.5 for row in report.durations)
    assert any(
        note.startswith("H100 SXM5: no offer within $0.50/h") and "the cheapest is" in note
        for note in report.no_offer
    )


@pytest.mark.unit
def test_cost_over_every_gpu_with_nothing_in_budget_names_the_cheapest_offer() -> None:
    report = run_cost(
        CostRequest((), "llama-3.1-8b", workload="llm", budget=Budget(max_usd_per_hour=0.001))
    )
    assert not report.durations and not report.ranking
    assert len(report.no_offer) == 1
    assert "no offer within $0.00/h" in report.no_offer[0]
    assert "the cheapest is" in report.no_offer[0]


@pytest.mark.unit
def test_cost_request_lists_a_bad_budget_with_its_other_problems() -> None:
    with pytest.raises(InvalidRequestError) as error:
        budget = Budget(max_usd_per_hour=-1.0)
        run_cost(CostRequest(("h100-sxm",), workload="rent", hours=-2.0, budget=budget))
    assert "max USD per hour must be > 0, got -1" in str(error.value)
    assert "hours must be ≥ 0, got -2" in str(error.value)


@pytest.mark.unit
def test_the_plan_states_the_budget_it_applied_and_what_it_left_out() -> None:
    plan = _plan()
    over = sum(1 for o in plan.options if o.usd_per_hour > 1.0)
    assert over >= 1  # the test's offers: the A100 ($1.19/h) and H100 ($3.99/h) setups
    kept = within_budget(plan, Budget(max_usd_per_hour=1.0))
    verb = "costs more and is" if over == 1 else "cost more and are"
    assert kept.budget_note == (
        "Budget $1.00/h ($730/month): every setup listed is within it "
        f"({over} of the cheapest {verb} left out)."
    )
    roomy = within_budget(plan, Budget(max_usd_per_month=100_000.0))
    assert roomy.options == plan.options
    assert roomy.budget_note == (
        "Budget $136.99/h ($100,000/month): every setup listed is within it."
    )
    assert within_budget(plan, Budget()).budget_note is None  # no budget, nothing to state


@pytest.mark.unit
def test_cost_over_every_gpu_counts_the_gpus_the_budget_left_out() -> None:
    """Ranking every GPU, a budget that keeps some says how many it removed and the cheapest of
    them, so a short list is not read as every GPU there is."""
    every = run_cost(CostRequest((), "llama-3.1-8b", workload="llm"))
    budget = Budget(max_usd_per_hour=0.5)
    report = run_cost(CostRequest((), "llama-3.1-8b", workload="llm", budget=budget))
    cheapest: dict[str, float] = {}
    for row in every.durations:
        price = row.price.usd_per_hour
        cheapest[row.system_id] = min(price, cheapest.get(row.system_id, price))
    dropped = {gpu: price for gpu, price in cheapest.items() if price > 0.5}
    assert report.durations and dropped  # the catalog rents GPUs on both sides of $0.50/h
    assert {row.system_id for row in report.durations} == set(cheapest) - set(dropped)
    notes = [note for note in report.no_offer if note.startswith("budget $0.50/h")]
    assert len(notes) == 1
    assert notes[0].startswith(f"budget $0.50/h ($365/month): {len(dropped)} GPUs left out")
    assert f"at ${min(dropped.values()):,.2f}/h" in notes[0]
