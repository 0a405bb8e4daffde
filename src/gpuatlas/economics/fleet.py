"""Mixed fleets: several models sharing the traffic, each on its own GPU pool.

The mixed fleet gives each model its cheapest option that meets the SLOs (e.g. 7–13B models on
RTX 4090s, 70B on A100s); the single-type fleet puts every model on one GPU type from one
provider (any count, format and replicas per model) and keeps the cheapest such type. Pools are
not shared between models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.planning import Plan, PlanOption, layout_line, plan_options
from gpuatlas.economics.serving_candidate import (
    MIN_RPS,
    Slo,
    SourceFactory,
    Workload,
    estimator_source,
)

FLEET_OPTIONS_PER_MODEL = 100


@dataclass(frozen=True)
class ModelShare:
    model: str
    share: float
    weights: tuple[str, ...] = ("fp16",)


@dataclass(frozen=True)
class PoolAssignment:
    model: str
    share: float
    rps: float
    option: PlanOption | None
    message: str | None


@dataclass(frozen=True)
class SingleTypeFleet:
    gpu: str
    provider: str
    tier: str
    monthly_cost_usd: float
    assignments: tuple[PoolAssignment, ...]


@dataclass(frozen=True)
class FleetPlan:
    mixed: tuple[PoolAssignment, ...]
    mixed_monthly_cost_usd: float | None
    single_type: SingleTypeFleet | None
    saving_usd_per_month: float | None
    saving_pct: float | None
    # Against a budget the user stated (economics.budget.fleet_within_budget): whether the
    # cheaper fleet is within it, and the sentence that says so; None without a budget.
    within_budget: bool | None = None
    budget_note: str | None = None
    targets: str = ""  # the latency targets every pool was sized for, in words (Slo.describe)
    early_stop_note: str = ""  # requests that stop at end-of-sequence (Workload.early_stop_note)


def share_problems(shares: Sequence[ModelShare]) -> list[str]:
    problems = [f"share of {s.model} must be > 0, got {s.share:g}" for s in shares if s.share <= 0]
    total = sum(s.share for s in shares)
    if shares and abs(total - 1.0) > 1e-6 and not problems:
        problems.append(f"traffic shares must add up to 1, got {total:g}")
    return problems


def share_rate_problems(shares: Sequence[ModelShare], rps: float) -> list[str]:
    """A model whose share of a valid total rate is below the smallest plannable rate."""
    if rps < MIN_RPS:
        return []  # the total rate's own problem says it
    return [
        f"{s.model} gets {rps * s.share:g} req/s of the traffic; a plan needs ≥ {MIN_RPS:g}"
        for s in shares
        if s.share > 0 and rps * s.share < MIN_RPS
    ]


def plan_fleet(
    shares: Sequence[ModelShare],
    template: Workload,
    slo: Slo,
    systems: Sequence[GpuSystem],
    offers: Sequence[PriceSnapshot],
    source_factory: SourceFactory = estimator_source,
) -> FleetPlan:
    """Cheapest mixed fleet vs cheapest single-type fleet for `template`'s total traffic."""
    plans = [_model_plan(share, template, slo, systems, offers, source_factory) for share in shares]
    mixed = tuple(
        _assignment(share, template, plan, plan.options[0] if plan.feasible else None)
        for share, plan in zip(shares, plans, strict=True)
    )
    mixed_cost = _total(mixed)
    single = _cheapest_single_type(shares, template, plans)
    saving = pct = None
    if mixed_cost is not None and single is not None:
        saving = single.monthly_cost_usd - mixed_cost
        pct = saving / single.monthly_cost_usd * 100.0
    return FleetPlan(
        mixed,
        mixed_cost,
        single,
        saving,
        pct,
        targets=slo.describe(),
        early_stop_note=template.early_stop_note(),
    )


def _model_plan(
    share: ModelShare,
    template: Workload,
    slo: Slo,
    systems: Sequence[GpuSystem],
    offers: Sequence[PriceSnapshot],
    source_factory: SourceFactory,
) -> Plan:
    workload = replace(
        template, model=share.model, weights=share.weights[0], rps=template.rps * share.share
    )
    return plan_options(
        workload, slo, systems, offers, list(share.weights), FLEET_OPTIONS_PER_MODEL, source_factory
    )


def _assignment(
    share: ModelShare, template: Workload, plan: Plan, option: PlanOption | None
) -> PoolAssignment:
    return PoolAssignment(
        share.model,
        share.share,
        template.rps * share.share,
        option,
        None if option else plan.message,
    )


def _total(assignments: Sequence[PoolAssignment]) -> float | None:
    if any(a.option is None for a in assignments):
        return None
    return sum(a.option.monthly_cost_usd for a in assignments if a.option is not None)


def _cheapest_single_type(
    shares: Sequence[ModelShare], template: Workload, plans: Sequence[Plan]
) -> SingleTypeFleet | None:
    pool_types = {
        (o.gpu, o.provider, o.tier) for plan in plans if plan.feasible for o in plan.options
    }
    best: SingleTypeFleet | None = None
    for gpu, provider, tier in sorted(pool_types):
        picks = [
            next(
                (
                    o
                    for o in plan.options
                    if plan.feasible and (o.gpu, o.provider, o.tier) == (gpu, provider, tier)
                ),
                None,
            )
            for plan in plans
        ]
        if any(pick is None for pick in picks):
            continue
        assignments = tuple(
            _assignment(s, template, p, o) for s, p, o in zip(shares, plans, picks, strict=True)
        )
        cost = _total(assignments)
        if cost is not None and (best is None or cost < best.monthly_cost_usd):
            best = SingleTypeFleet(gpu, provider, tier, cost, assignments)
    return best


def layout_lines(fleet: FleetPlan) -> list[str]:
    """How each multi-GPU pool's systems serve their model ('Each 2× RTX 4090 fp8 serves the
    model as 2 replicas of 1 GPU each, ...'), once per pool option, mixed fleet first."""
    single = fleet.single_type.assignments if fleet.single_type else ()
    lines: list[str] = []
    for item in (*fleet.mixed, *single):
        if item.option is not None and item.option.layout:
            line = f"{item.model}: {layout_line(item.option, batch_column=False)}"
            if line not in lines:
                lines.append(line)
    return lines
