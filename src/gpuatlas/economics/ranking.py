"""'Which GPU?': rank systems by the cost of the work (not the hour), one line per system.

Systems that cannot do the work (too little memory, no catalog figure to predict from) are
left out and listed as CannotRun by the caller; they never stop the ranking.

Each system's line is its cheapest offer for the work — $/1M output tokens at its own
sustainable serving rate, or $ per image or training run at its own predicted speed — beside
its cheapest on-demand offer, so a community or spot price is never mistaken for an on-demand
one; an offer whose GPU variant the provider does not name counts only when no offer names it
(as `compare` prices a system). The first line is the winner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gpuatlas.economics.offer_costs import OfferPrice, named_variant_first
from gpuatlas.economics.unit_costs import JobCost, ServingCost
from gpuatlas.performance.predictions import Estimate


@dataclass(frozen=True)
class RankedSystem:
    """One system's cheapest way to do the work, and its cheapest on-demand way."""

    rank: int
    system_id: str
    metric: str
    best: Estimate
    best_offer: OfferPrice
    on_demand: Estimate | None
    on_demand_offer: OfferPrice | None
    offers_compared: int


@dataclass(frozen=True)
class CannotRun:
    """A system left out of a ranking because it cannot do the work (memory, missing data)."""

    system_id: str
    reason: str


Costed = ServingCost | JobCost


def cost_of(item: Costed) -> Estimate:
    return item.usd_per_million_output_tokens if isinstance(item, ServingCost) else item.usd


def _cheapest(items: Sequence[Costed]) -> Costed | None:
    """The cheapest of the offers that name the GPU's variant (`named_variant_first`)."""
    preferred = named_variant_first(items, lambda item: item.price.gpu_match)
    return min(preferred, key=lambda item: cost_of(item).value, default=None)


def rank_systems(items: Sequence[Costed], metric: str) -> tuple[RankedSystem, ...]:
    """One line per system, cheapest first (ties broken by system id for a stable order)."""
    by_system: dict[str, list[Costed]] = {}
    for item in items:
        by_system.setdefault(item.system_id, []).append(item)
    lines = []
    for system_id, costed in by_system.items():
        best = _cheapest(costed)
        assert best is not None
        on_demand = _cheapest([c for c in costed if c.price.tier == "on-demand"])
        lines.append((cost_of(best).value, system_id, best, on_demand, len(costed)))
    lines.sort(key=lambda line: (line[0], line[1]))
    return tuple(
        RankedSystem(
            rank=index,
            system_id=system_id,
            metric=metric,
            best=cost_of(best),
            best_offer=best.price,
            on_demand=cost_of(on_demand) if on_demand else None,
            on_demand_offer=on_demand.price if on_demand else None,
            offers_compared=count,
        )
        for index, (_, system_id, best, on_demand, count) in enumerate(lines, start=1)
    )
