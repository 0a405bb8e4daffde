"""The planner with closed-form step times (tests/economics/fakes.py), so its logic is tested
alone."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.planning import plan_options
from gpuatlas.economics.serving_candidate import Slo, Workload, serving_scenario

sys.path.insert(0, str(Path(__file__).parent))
from fakes import fake_factory  # noqa: E402

GPUS = ("rtx-4090", "a100-80gb-pcie", "h100-sxm")
SYSTEMS = [build_system(resolve_gpu(g), c) for g in GPUS for c in (1, 2, 4)]
OFFERS = [
    PriceSnapshot("RunPod", "rtx-4090", 0.34, "community", "2026-09-25", "hand"),
    PriceSnapshot("RunPod", "a100-80gb-pcie", 1.19, "community", "2026-11-09", "hand"),
    PriceSnapshot("Lambda", "h100-sxm", 3.99, "on-demand", "2026-09-20", "hand", 8),
]
SLO = Slo(p95_ttft_ms=500, p95_tpot_ms=50)


def workload(rps: float, weights: str = "fp16") -> Workload:
    return Workload("llama-2-13b", weights, rps, 512, 256)


def plan(rps: float, slo: Slo = SLO, top: int = 10, weights: tuple[str, ...] = ("fp16",)):
    return plan_options(workload(rps), slo, SYSTEMS, OFFERS, list(weights), top, fake_factory())


def test_options_are_ranked_cheapest_first_and_meet_the_targets() -> None:
    result = plan(100)
    costs = [o.monthly_cost_usd for o in result.options]
    assert costs == sorted(costs)
    assert all(o.meets_slo for o in result.options)
    assert all(o.p95_ttft_ms <= 500 and o.p95_tpot_ms <= 50 for o in result.options)
    for option in result.options:  # monthly cost is replicas × GPUs (or instances) × price × 730
        assert option.monthly_cost_usd == pytest.approx(option.usd_per_hour * 730)


def test_a_13b_model_in_fp16_does_not_fit_one_rtx_4090() -> None:
    result = plan(10)
    rejected = {(r.gpu, r.gpu_count, r.weights): r for r in result.rejected}
    assert rejected[("rtx-4090", 1, "fp16")].kind == "memory"
    assert all((o.gpu, o.gpu_count) != ("rtx-4090", 1) for o in result.options)


def test_ten_times_the_traffic_needs_more_replicas() -> None:
    low = {(o.gpu, o.gpu_count): o.replicas for o in plan(10, top=50).options}
    high = {(o.gpu, o.gpu_count): o.replicas for o in plan(100, top=50).options}
    shared = set(low) & set(high)
    assert shared
    assert all(high[key] > low[key] for key in shared)


def test_branch_and_bound_finds_the_same_winner_as_exhaustive_search() -> None:
    pruned = plan(40, top=3, weights=("fp16", "int8"))
    exhaustive = plan(40, top=1000, weights=("fp16", "int8"))
    assert pruned.options[0] == exhaustive.options[0]
    assert pruned.simulated <= exhaustive.simulated


def test_the_winner_is_explained_against_the_runner_up() -> None:
    result = plan(100)
    assert result.explanation is not None
    winner, runner = result.explanation.winner, result.explanation.runner_up
    assert runner is not None and runner != winner
    assert result.explanation.runner_up_lost_on == "cost"
    text = "\n".join(result.explanation.lines)
    assert "lost on cost" in text and "lost on memory: RTX 4090 fp16" in text
    assert "rtx-4090" not in text  # sentences name products, not catalog ids


def test_an_unreachable_target_names_the_closest_option() -> None:
    result = plan(100, slo=Slo(p95_ttft_ms=1, p95_tpot_ms=50))
    assert not result.feasible
    assert result.message is not None
    assert result.message.startswith("no configuration meets p95 TTFT ≤ 1 ms")
    assert "the closest is" in result.message
    assert result.options and not result.options[0].meets_slo
    # a closest option is its lone request's floor unless it was simulated: p50 = p95 there
    # read as a simulated distribution, with a mean batch of 0 (the table marks it '≥')
    for option in result.options:
        assert option.simulated or (
            option.p50_ttft_ms == option.p95_ttft_ms and not option.mean_batch
        )


def test_scenario_one_replica_queues_at_100_but_not_at_10_rps() -> None:
    system = build_system(resolve_gpu("a100-80gb-pcie"), 1)
    busy = serving_scenario(system, workload(100), SLO, fake_factory())
    calm = serving_scenario(system, workload(1), SLO, fake_factory())
    assert busy.overloaded and not calm.overloaded
    assert busy.one_replica is not None and calm.one_replica is not None
    assert busy.one_replica.latency.p95_queue_ms > 1000 > calm.one_replica.latency.p95_queue_ms
    assert busy.replicas_needed is not None and busy.replicas_needed > 1
