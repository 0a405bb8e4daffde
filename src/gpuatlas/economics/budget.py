"""A spending limit as users state it ("$2/h", "$1,500 a month") and the plan options it keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gpuatlas.economics.fleet import FleetPlan
from gpuatlas.economics.offer_costs import HOURS_PER_MONTH, OfferPrice, usd_per_month
from gpuatlas.economics.planning import Explanation, Plan, PlanOption
from gpuatlas.numbers import format_given

_ROUNDING_USD_PER_HOUR = 1e-9  # a price exactly at the limit is within it


@dataclass(frozen=True)
class Budget:
    """The most a setup may cost: per hour, per month of 730 h, or both (the tighter wins)."""

    max_usd_per_hour: float | None = None
    max_usd_per_month: float | None = None

    def problems(self) -> list[str]:
        """A limit of zero or less is a request problem (no setup costs nothing)."""
        limits = (
            ("max USD per hour", self.max_usd_per_hour),
            ("max USD per month", self.max_usd_per_month),
        )
        return [
            f"{name} must be > 0, got {format_given(value)}"
            for name, value in limits
            if value is not None and value <= 0
        ]

    @property
    def usd_per_hour(self) -> float | None:
        """The limit per hour (a monthly limit over 730 h), or None when there is none."""
        limits = [self.max_usd_per_hour] if self.max_usd_per_hour is not None else []
        if self.max_usd_per_month is not None:
            limits.append(self.max_usd_per_month / HOURS_PER_MONTH)
        return min(limits) if limits else None

    def describe(self) -> str:
        """'$2.00/h ($1,460/month)' for the limit in force."""
        hourly = self.usd_per_hour
        if hourly is None:
            return "no budget"
        return f"${hourly:,.2f}/h (${hourly * HOURS_PER_MONTH:,.0f}/month)"


def within_budget(plan: Plan, budget: Budget) -> Plan:
    """Only the options whose total price is within `budget`; when none is, the cheapest
    option (it meets the targets when any does) with a message naming it and its price, so the
    answer is never empty."""
    limit = budget.usd_per_hour
    if limit is None or not plan.options:
        return plan
    kept = tuple(o for o in plan.options if o.usd_per_hour <= limit + _ROUNDING_USD_PER_HOUR)
    if kept:
        note = kept_note(budget, len(plan.options) - len(kept))
        if len(kept) == len(plan.options):
            return replace(plan, budget_note=note)
        explanation = _runner_up_over_budget(plan, limit)
        return replace(plan, options=kept, explanation=explanation, budget_note=note)
    cheapest = min(plan.options, key=lambda o: (not o.meets_slo, o.usd_per_hour))
    line = _over_budget_line(cheapest, budget)
    message = line if plan.message is None else f"{plan.message} {line}"
    explanation = _over_budget_explanation(plan.explanation)
    return replace(
        plan,
        options=(cheapest,),
        message=message,
        within_budget=False,
        explanation=explanation,
    )


def kept_note(budget: Budget, left_out: int) -> str:
    """'Budget $2.00/h ($1,460/month): every setup listed is within it.' — the budget in force,
    stated with the answer it filtered (and how many of the cheapest setups it left out)."""
    if left_out == 0:
        return f"Budget {budget.describe()}: every setup listed is within it."
    verb = "costs more and is" if left_out == 1 else "cost more and are"
    return (
        f"Budget {budget.describe()}: every setup listed is within it ({left_out} of the "
        f"cheapest {verb} left out)."
    )


def left_out_by_budget_note(over_budget: Sequence[tuple[str, OfferPrice]], budget: Budget) -> str:
    """'Budget $0.68/h ($500/month): 21 GPUs left out, none has an offer within it (the
    cheapest of them: l40s, RunPod (...) at $0.79/h)' — ranking every GPU, the ones the budget
    removed, counted, so a short ranking is not read as every GPU there is."""
    label, cheapest = min(over_budget, key=lambda item: item[1].usd_per_hour)
    count = len(over_budget)
    gpus = "GPU" if count == 1 else "GPUs"
    return (
        f"budget {budget.describe()}: {count} {gpus} left out, no offer within it (the "
        f"cheapest of them: {label}, {cheapest.label} at ${cheapest.usd_per_hour:,.2f}/h, "
        f"${usd_per_month(cheapest.usd_per_hour):,.0f}/month)"
    )


OVER_BUDGET_HEAD = "Over the budget, the cheapest:"
RUNNER_UP_OVER_BUDGET = " It is over the budget."


def _runner_up_over_budget(plan: Plan, limit_usd_per_hour: float) -> Explanation | None:
    """The explanation with its runner-up line marked when that setup (chosen before the
    budget applied) costs more than the budget: it is there to say why the winner won, not
    as an option."""
    explanation = plan.explanation
    if explanation is None or explanation.runner_up is None:
        return explanation
    runner = next((o for o in plan.options[1:] if o.label == explanation.runner_up), None)
    if runner is None or runner.usd_per_hour <= limit_usd_per_hour + _ROUNDING_USD_PER_HOUR:
        return explanation
    lines = tuple(
        line + RUNNER_UP_OVER_BUDGET if line.startswith("Runner-up:") else line
        for line in explanation.lines
    )
    return replace(explanation, lines=lines)


def _over_budget_explanation(explanation: Explanation | None) -> Explanation | None:
    """The plan's explanation with its 'Winner:' renamed: nothing is within the budget, so the
    cheapest setup shown is not a winner."""
    if explanation is None:
        return None
    lines = tuple(
        OVER_BUDGET_HEAD + line.removeprefix("Winner:") if line.startswith("Winner:") else line
        for line in explanation.lines
    )
    return replace(explanation, lines=lines)


def _over_budget_line(cheapest: PlanOption, budget: Budget) -> str:
    what = "meets the targets" if cheapest.meets_slo else "comes closest to the targets"
    return (
        f"No setup within {budget.describe()}; the cheapest that {what} is "
        f"{cheapest.label} ({cheapest.replicas} replica{'s' if cheapest.replicas > 1 else ''}) "
        f"on {cheapest.offer_label} at ${cheapest.usd_per_hour:,.2f}/h "
        f"(${cheapest.monthly_cost_usd:,.0f}/month)."
    )


def fleet_within_budget(fleet: FleetPlan, budget: Budget) -> FleetPlan:
    """The fleet with its budget verdict: each model's pool is already its cheapest that meets
    the targets, so a budget filters nothing there; it says whether the cheaper of the mixed
    and the single-type fleet is within it, and by how much it is over when not."""
    limit = budget.usd_per_hour
    costs = [
        (cost, label)
        for cost, label in (
            (fleet.mixed_monthly_cost_usd, "the mixed fleet"),
            (fleet.single_type.monthly_cost_usd if fleet.single_type else None, "one GPU type"),
        )
        if cost is not None
    ]
    if limit is None or not costs:
        return fleet
    cost, label = min(costs, key=lambda item: item[0])  # the mixed fleet on a tie
    limit_month = limit * HOURS_PER_MONTH
    within = cost <= limit_month + _ROUNDING_USD_PER_HOUR * HOURS_PER_MONTH
    verdict = "within" if within else f"${cost - limit_month:,.0f}/month over"
    note = (
        f"Budget {budget.describe()}: {label} costs ${cost:,.0f}/month, {verdict} "
        "(every pool is already the cheapest that meets the targets)."
    )
    return replace(fleet, within_budget=within, budget_note=note)


def offer_within(price: OfferPrice, budget: Budget) -> bool:
    """Whether an offer's total price per hour is within `budget` (always, without one)."""
    limit = budget.usd_per_hour
    return limit is None or price.usd_per_hour <= limit + _ROUNDING_USD_PER_HOUR


def over_budget_note(label: str, cheapest: OfferPrice, budget: Budget) -> str:
    """'rtx-4090: no offer within $0.20/h ($146/month); the cheapest is RunPod (...) at
    $0.34/h' — a system left out by the budget, with what it would cost."""
    return (
        f"{label}: no offer within {budget.describe()}; the cheapest is {cheapest.label} at "
        f"${cheapest.usd_per_hour:,.2f}/h (${usd_per_month(cheapest.usd_per_hour):,.0f}/month)"
    )
