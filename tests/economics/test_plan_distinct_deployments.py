"""`plan` lists each deployment once. A 2-GPU instance served as two 1-GPU engine replicas (the
model fits one GPU) is the same fleet as two 1-GPU instances on the same offer: same cost, same
engines, same simulated latencies. `plan --model llama-3.1-8b --rps 5` listed both ("2.
rtx-a4000 awq-int4, replicas: 2" and "3. 2× rtx-a4000 awq-int4, replicas: 1", every figure
equal), so two of its ten places repeated others, and "replicas: 1" hid that the instance runs
two engines."""

from __future__ import annotations

import pytest

from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.economics.planning import PlanOption, distinct_deployments
from gpuatlas.economics.serving_candidate import Slo

pytestmark = pytest.mark.unit


def _option(gpu_count: int, replicas: int, engines: int, layout: str = "") -> PlanOption:
    return PlanOption(
        gpu="rtx-a4000",
        gpu_name="RTX A4000",
        gpu_count=gpu_count,
        weights="awq-int4",
        replicas=replicas,
        provider="Hyperstack",
        tier="on-demand",
        price_observed_date="2026-08-26",
        price_source="x",
        offer="rtx-a4000",
        gpu_match="exact",
        usd_per_gpu_hour=0.15,
        usd_per_hour=0.30,
        monthly_cost_usd=219.0,
        instances=replicas,
        per_gpu_billing=True,
        p50_ttft_ms=300.0,
        p95_ttft_ms=491.0,
        p50_tpot_ms=40.0,
        p95_tpot_ms=49.1,
        p95_e2e_ms=13000.0,
        utilization=0.72,
        mean_batch=22.0,
        max_batch=85,
        per_replica_capacity_rps=3.5,
        meets_slo=True,
        engine="vllm",
        layout=layout,
        engines=engines,
    )


def test_two_one_gpu_instances_and_a_two_gpu_instance_of_two_engines_are_one_deployment() -> None:
    one_gpu = _option(1, 2, 1)
    two_gpu = _option(2, 1, 2, "2 replicas of 1 GPU each")
    assert distinct_deployments([one_gpu, two_gpu]) == [one_gpu]


def test_a_tensor_parallel_pair_is_another_deployment() -> None:
    one_gpu = _option(1, 2, 1)
    tensor = _option(2, 1, 1, "one replica over 2 GPUs (tensor parallel)")
    assert distinct_deployments([one_gpu, tensor]) == [one_gpu, tensor]


def test_the_replicas_cell_says_how_an_instance_of_several_engines_serves() -> None:
    assert _option(1, 2, 1).replicas_text == "2"
    assert _option(2, 1, 2, "2 replicas of 1 GPU each").replicas_text == "1 node × 2 engines"
    # two 8-GPU nodes of four 2-GPU engines read '2 (4 replicas of ...)': two of what?
    layout = "4 replicas of 2 GPUs (tensor parallel) each"
    assert _option(8, 2, 4, layout).replicas_text == "2 nodes × 4 engines"
    assert _option(2, 1, 1, "one replica over 2 GPUs (tensor parallel)").replicas_text == "1"


def test_the_plan_users_ran_lists_no_deployment_twice() -> None:
    plan = run_plan(
        PlanRequest(
            model="llama-3.1-8b",
            weights=("auto",),
            rps=5.0,
            input_tokens=512,
            output_tokens=256,
            slo=Slo(p95_ttft_ms=2000),
        )
    )
    fleets = [
        (o.gpu, o.weights, o.offer, o.provider, o.replicas * o.engines, o.gpu_count // o.engines)
        for o in plan.options
    ]
    assert len(fleets) == len(set(fleets)) == len(plan.options) == 10
    # the 1-GPU instances are kept: two RTX A4000s of the same offer serving awq-int4
    assert any(o.gpu == "rtx-a4000" and o.gpu_count == 1 and o.replicas == 2 for o in plan.options)
