"""A capacity plan with no latency target is sized for a default p95 TTFT (MLPerf Inference's
server-scenario limit), so it never answers a setup whose queue grows without bound."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.fleet import ModelShare, plan_fleet
from gpuatlas.economics.serving_candidate import Workload, serving_scenario
from gpuatlas.economics.single_slot_pool import fewest_pool_replicas, wait_quantile_s
from gpuatlas.economics.slo import DEFAULT_P95_TTFT_MS, Slo, planning_slo

sys.path.insert(0, str(Path(__file__).parent))
from fakes import fake_factory  # noqa: E402
from test_single_slot_pool import _one_at_a_time  # noqa: E402


@pytest.mark.unit
def test_no_target_gets_the_default_ttft_and_says_so() -> None:
    slo = planning_slo(Slo())
    assert slo == Slo(2000.0, None, None, default_ttft=True)
    assert DEFAULT_P95_TTFT_MS == 2000.0  # MLPerf Inference server scenario: TTFT ≤ 2 s
    text = slo.describe()
    assert text.startswith("p95 TTFT ≤ 2,000 ms (default")
    assert "MLPerf" in text and "--p95-ttft-ms" in text


@pytest.mark.unit
def test_a_tpot_target_alone_does_not_bound_the_queue_so_the_default_ttft_is_added() -> None:
    assert planning_slo(Slo(p95_tpot_ms=50.0)) == Slo(2000.0, 50.0, None, default_ttft=True)


@pytest.mark.unit
@pytest.mark.parametrize("slo", [Slo(p95_ttft_ms=30_000.0), Slo(p95_e2e_ms=60_000.0)])
def test_a_users_ttft_or_e2e_target_is_kept_as_given(slo: Slo) -> None:
    assert planning_slo(slo) == slo
    assert "default" not in slo.describe()


@pytest.mark.unit
def test_one_at_a_time_replicas_are_sized_for_the_default_ttft_not_for_saturation() -> None:
    """Replicas serving one request at a time form an M/D/c pool: with no target the fewest
    that keep up (ceil of the offered erlangs) queue without bound; the default target gives
    the first count whose p95 wait keeps p95 TTFT within 2 s."""
    system = build_system(resolve_gpu("a100-80gb-pcie"), 1)
    rps = 10.0
    workload = Workload("m", "fp16", rps, 512, 256)
    scenario = serving_scenario(system, workload, planning_slo(Slo()), _one_at_a_time)
    run, floor = scenario.assessment.run, scenario.assessment.floor
    assert scenario.assessment.status == "ok" and run is not None and floor is not None
    service_s = floor.p95_e2e_ms / 1000.0
    allowed_s = (2000.0 - floor.p95_ttft_ms) / 1000.0
    erlangs = rps * service_s
    assert run.replicas == fewest_pool_replicas(rps, service_s, allowed_s, 4096)
    assert wait_quantile_s(run.replicas, rps, service_s, 0.95) <= allowed_s
    assert wait_quantile_s(run.replicas - 1, rps, service_s, 0.95) > allowed_s
    assert run.replicas > math.ceil(erlangs)  # headroom above the count that barely keeps up
    assert run.latency.p95_ttft_ms <= 2000.0
    assert run.utilization < 1.0


@pytest.mark.unit
def test_a_fleet_states_the_targets_its_pools_were_sized_for() -> None:
    shares = [ModelShare("small", 1.0)]
    template = Workload("", "fp16", 5.0, 512, 256)
    systems = [build_system(resolve_gpu("a100-80gb-sxm"), 1)]
    offers = [PriceSnapshot("RunPod", "a100-80gb-sxm", 1.39, "community", "2026-09-25", "hand")]
    fleet = plan_fleet(shares, template, planning_slo(Slo()), systems, offers, fake_factory(7e9))
    assert fleet.targets.startswith("p95 TTFT ≤ 2,000 ms (default")
    pool = fleet.mixed[0].option
    assert pool is not None and pool.p95_ttft_ms <= 2000.0 and pool.meets_slo
