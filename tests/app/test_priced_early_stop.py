"""`plan`, `cost` and `fleet` take `--mean-output-tokens` as `predict serving` does: requests
that stop at end-of-sequence are served at the mean length (more requests per second on each
replica, fewer replicas for a traffic), the answer says so, and a mean outside 1 to the output
length is refused with the request's other problems."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from gpuatlas.app.cost import RentingCostRequest, cost_document, cost_report
from gpuatlas.app.fleet import FleetPlanRequest, fleet_plan
from gpuatlas.app.plan import ServingPlanRequest, plan_document, serving_plan
from gpuatlas.app.requests import parse_request
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit

NOTE = "requests stop at end-of-sequence: 128 of 256 output tokens on average"
COST = {
    "gpus": ["rtx-4090"],
    "model": "llama-3.1-8b",
    "weights": "fp8",
    "workload": "llm",
    "output_tokens": 256,
}
PLAN = {
    "model": "llama-3.1-8b",
    "weights": ["fp8"],
    "gpus": ["rtx-4090"],
    "gpu_counts": [1],
    "rps": 20,
    "output_tokens": 256,
    "top": 1,
}
FLEET = {
    "models": ["llama-3.1-8b=0.5", "qwen2.5-7b=0.5"],
    "weights": ["fp8"],
    "gpus": ["rtx-4090"],
    "gpu_counts": [1],
    "rps": 50,
    "output_tokens": 256,
}


def _with(values: dict[str, Any], mean: float | None) -> dict[str, Any]:
    return {**values, "mean_output_tokens": mean}


def test_cost_prices_requests_of_the_mean_length() -> None:
    full = cost_report(parse_request(RentingCostRequest, COST)).serving[0]
    half = cost_report(parse_request(RentingCostRequest, _with(COST, 128))).serving[0]
    assert half.sustained.rps > 1.3 * full.sustained.rps
    assert half.usd_per_request < full.usd_per_request
    document = cost_document(parse_request(RentingCostRequest, _with(COST, 128)))
    assert NOTE in document["early_stop_note"]
    assert document["request"]["mean_output_tokens"] == 128


def test_plan_gives_each_replica_more_requests() -> None:
    full = serving_plan(parse_request(ServingPlanRequest, PLAN))
    half = serving_plan(parse_request(ServingPlanRequest, _with(PLAN, 128)))
    full_option, half_option = full.options[0], half.options[0]
    assert half_option.per_replica_capacity_rps > 1.3 * full_option.per_replica_capacity_rps
    assert half_option.utilization < full_option.utilization
    assert any(NOTE in line for line in half.engine_notes)
    assert not any("end-of-sequence" in line for line in full.engine_notes)
    document = plan_document(parse_request(ServingPlanRequest, _with(PLAN, 128)))
    assert document["workload"]["output_tokens"] == 128
    assert document["workload"]["output_cap"] == 256


def test_fleet_needs_fewer_replicas_for_shorter_requests() -> None:
    full = fleet_plan(parse_request(FleetPlanRequest, FLEET))
    half = fleet_plan(parse_request(FleetPlanRequest, _with(FLEET, 128)))
    replicas = [a.option.replicas for a in full.mixed if a.option is not None]
    fewer = [a.option.replicas for a in half.mixed if a.option is not None]
    assert len(fewer) == len(replicas) == 2
    assert sum(fewer) < sum(replicas)
    assert half.mixed_monthly_cost_usd is not None and full.mixed_monthly_cost_usd is not None
    assert half.mixed_monthly_cost_usd < full.mixed_monthly_cost_usd
    assert NOTE in half.early_stop_note and full.early_stop_note == ""


@pytest.mark.parametrize("mean", [300, 0.5])
def test_a_mean_outside_one_to_the_output_length_is_refused_with_the_rest(mean: float) -> None:
    cases: list[tuple[Any, dict[str, Any], Any]] = [
        (RentingCostRequest, {**COST, "days": -1}, cost_report),
        (ServingPlanRequest, {**PLAN, "burstiness": 0}, serving_plan),
        (FleetPlanRequest, {**FLEET, "input_tokens": 0}, fleet_plan),
    ]
    for kind, values, answer in cases:
        with pytest.raises(InvalidRequestError) as refused:
            answer(parse_request(kind, _with(values, mean)))
        problems = refused.value.problems
        assert len(problems) == 2
        assert any("mean output tokens must be from 1 to the output length" in p for p in problems)


def test_cost_refuses_the_mean_for_other_work() -> None:
    values = {"gpus": ["rtx-4090"], "model": "llama-3.1-8b", "workload": "training"}
    with pytest.raises(InvalidRequestError) as refused:
        cost_report(parse_request(RentingCostRequest, {**values, "mean_output_tokens": 100}))
    assert any("--mean-output-tokens prices LLM serving" in p for p in refused.value.problems)


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_each_command_says_the_requests_stop_early() -> None:
    shared = ("--output-tokens", "256", "--mean-output-tokens", "128", "--weights", "fp8")
    cost = _cli(
        "cost", "--gpu", "rtx-4090", "--model", "llama-3.1-8b", "--workload", "llm", *shared
    )
    assert "512 in / ≤ 256 (mean 128, end-of-sequence) out tokens" in cost
    assert NOTE in cost
    plan = _cli(
        "plan", "--model", "llama-3.1-8b", "--rps", "5", "--gpu", "rtx-4090", "--top", "1", *shared
    )
    assert "(512 in / ≤ 256 (mean 128, end-of-sequence) out tokens)" in plan
    assert NOTE in plan
    fleet = _cli("fleet", "--model", "llama-3.1-8b=1", "--rps", "5", "--gpu", "rtx-4090", *shared)
    assert NOTE in fleet
