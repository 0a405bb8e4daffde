"""Replicas that serve one request at a time behind one queue (an M/D/c pool): Erlang C,
the wait's percentiles, and the planner's replica count for such replicas."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.economics.serving_candidate import Slo, Workload, serving_scenario
from gpuatlas.economics.single_slot_pool import (
    erlang_c,
    fewest_pool_replicas,
    wait_quantile_s,
)

sys.path.insert(0, str(Path(__file__).parent))
from fakes import FakeSource  # noqa: E402


@pytest.mark.unit
def test_erlang_c_of_textbook_cases() -> None:
    assert erlang_c(1, 0.7) == pytest.approx(0.7)  # M/M/1: an arrival waits with prob. ρ
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)  # M/M/2 at ρ = 0.5
    assert erlang_c(3, 3.0) == 1.0  # saturated


@pytest.mark.unit
def test_the_p95_wait_of_one_server_at_half_load() -> None:
    # C = 0.5; P(W > t) = 0.5·exp(-(μ - λ)t) = 0.05 at t = ln 10 / 0.5 s, halved for
    # constant service times (Allen-Cunneen, cs² = 0)
    assert wait_quantile_s(1, 0.5, 1.0, 0.95) == pytest.approx(0.5 * math.log(10.0) / 0.5)
    assert wait_quantile_s(1, 0.02, 1.0, 0.95) == 0.0  # 2 % wait at all: the p95 is no wait


@pytest.mark.unit
def test_the_fewest_replicas_are_the_first_count_that_meets_the_wait() -> None:
    arrival_rps, service_s, allowed_s = 10.0, 4.8, 0.7
    replicas = fewest_pool_replicas(arrival_rps, service_s, allowed_s, 4096)
    assert replicas is not None
    assert wait_quantile_s(replicas, arrival_rps, service_s, 0.95) <= allowed_s
    assert wait_quantile_s(replicas - 1, arrival_rps, service_s, 0.95) > allowed_s
    # 48 erlangs of work: a pool needs a few more than 48, not the ~960 (5 % utilisation)
    # that independent random 1/R shares would need
    assert 49 <= replicas <= 70


@dataclass(frozen=True)
class OneAtATime(FakeSource):
    def max_batch(self, context_tokens: int) -> int:
        return 1


def _one_at_a_time(system: GpuSystem, model: str, weights: str, engine: str) -> OneAtATime:
    return OneAtATime(system, 13e9, weights)


@pytest.mark.unit
def test_the_planner_pools_one_request_at_a_time_replicas() -> None:
    system = build_system(resolve_gpu("a100-80gb-pcie"), 1)
    slo = Slo(p95_ttft_ms=1000, p95_tpot_ms=100)
    scenario = serving_scenario(system, Workload("m", "fp16", 10.0, 512, 256), slo, _one_at_a_time)
    run = scenario.assessment.run
    assert scenario.assessment.status == "ok" and run is not None
    floor = scenario.assessment.floor
    assert floor is not None
    service_s = floor.p95_e2e_ms / 1000.0
    allowed_s = (1000 - floor.p95_ttft_ms) / 1000.0
    assert run.replicas == fewest_pool_replicas(10.0, service_s, allowed_s, 4096)
    assert run.latency.p95_ttft_ms <= 1000
    assert run.replicas < 10.0 * service_s * 1.5  # a pool, not ~5 % utilisation per replica
