"""Mixed fleets with closed-form step times: a mixed fleet never costs more than one GPU type."""

from __future__ import annotations

import sys
from pathlib import Path

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.fleet import ModelShare, plan_fleet, share_problems
from gpuatlas.economics.serving_candidate import Slo, Workload

sys.path.insert(0, str(Path(__file__).parent))
from fakes import FakeSource  # noqa: E402

PARAMS = {"small": 7e9, "large": 70e9}
SYSTEMS = [
    build_system(resolve_gpu(g), c) for g in ("rtx-4090", "a100-80gb-sxm") for c in (1, 2, 4)
]
OFFERS = [
    PriceSnapshot("RunPod", "rtx-4090", 0.34, "community", "2026-09-25", "hand"),
    PriceSnapshot("RunPod", "a100-80gb-sxm", 1.39, "community", "2026-09-25", "hand"),
]


def factory(system, model, weights, engine):  # type: ignore[no-untyped-def]
    return FakeSource(system, PARAMS[model], weights)


def test_mixed_fleet_routes_each_model_to_its_cheapest_pool() -> None:
    shares = [ModelShare("small", 0.7), ModelShare("large", 0.3)]
    template = Workload("", "fp16", 20.0, 512, 256)
    fleet = plan_fleet(shares, template, Slo(1000, 60), SYSTEMS, OFFERS, factory)
    assert fleet.mixed_monthly_cost_usd is not None and fleet.single_type is not None
    pools = {a.model: a.option.gpu for a in fleet.mixed if a.option}
    assert pools["large"] == "a100-80gb-sxm"  # 140 GB of weights: no 4×24 GB RTX 4090 fits it
    assert fleet.mixed_monthly_cost_usd <= fleet.single_type.monthly_cost_usd
    assert fleet.saving_usd_per_month is not None and fleet.saving_usd_per_month >= 0
    rates = {a.model: a.rps for a in fleet.mixed}
    assert rates == {"small": 14.0, "large": 6.0}


def test_shares_must_be_positive_and_add_up_to_one() -> None:
    assert share_problems([ModelShare("a", 0.5), ModelShare("b", 0.4)]) == [
        "traffic shares must add up to 1, got 0.9"
    ]
    assert "must be > 0" in share_problems([ModelShare("a", -1.0), ModelShare("b", 2.0)])[0]
