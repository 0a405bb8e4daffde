"""Two offers of one provider, tier and date that are the two ends of a captured range (Vast.ai
RTX 4090 on-demand, June 2026: $0.682 and $0.875) are told apart in `plan` and `cost` as the
compare report's price tables tell them apart: 'Vast.ai (on-demand, 2026-06; low end of
captured range)'. Both read like one offer at two prices without it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.app.plan import ServingPlanRequest, serving_plan
from gpuatlas.catalog.price_snapshot import PriceSnapshot
from gpuatlas.economics.offer_costs import offer_price

LOW = "low end of captured range"


def snapshot(**values: object) -> PriceSnapshot:
    base = PriceSnapshot("Vast.ai", "rtx-4090", 0.682, "on-demand", "2026-06", "a source")
    return replace(base, **values)  # type: ignore[arg-type]


@pytest.mark.unit
def test_the_offer_label_names_the_end_of_a_range_and_an_assumed_variant() -> None:
    low = snapshot(notes=f"Offer: marketplace on-demand, {LOW}.")
    assert low.caveats == (LOW,)
    assert offer_price(low, 1).label == f"Vast.ai (on-demand, 2026-06; {LOW})"
    both = replace(low, gpu_match="assumed")
    assert offer_price(both, 1).label == f"Vast.ai (on-demand, 2026-06; variant assumed; {LOW})"
    assert offer_price(snapshot(), 1).label == "Vast.ai (on-demand, 2026-06)"


@pytest.mark.unit
def test_plan_lists_the_two_ends_of_a_range_apart() -> None:
    request = ServingPlanRequest.model_validate(
        {"model": "llama-3.1-8b", "gpus": ["rtx-4090"], "rps": 1.0, "top": 50}
    )
    options = serving_plan(request).options
    vast = {o.offer_label for o in options if o.provider == "Vast.ai" and o.tier == "on-demand"}
    assert "Vast.ai (on-demand, 2026-06; low end of captured range)" in vast
    assert "Vast.ai (on-demand, 2026-06; high end of captured range)" in vast
