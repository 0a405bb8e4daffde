"""`cost` sizes serving as `plan` does: the same targets (the user's, or the default p95 TTFT
of 2 s), and for a stated traffic the same fewest replicas (plan's own function), so the two
answers agree on replicas and on $/1M output tokens; a share of saturation only on request."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.app.cost import RentingCostRequest, cost_document, cost_report
from gpuatlas.app.plan import ServingPlanRequest, serving_plan
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import build_system
from gpuatlas.cli.main import app
from gpuatlas.economics.serving_candidate import Workload, serving_scenario
from gpuatlas.economics.single_slot_pool import fewest_pool_replicas, wait_quantile_s
from gpuatlas.economics.slo import DEFAULT_P95_TTFT_MS, Slo, planning_slo
from gpuatlas.economics.unit_costs import (
    RATE_SEARCH_STEPS,
    SustainedServing,
    serving_targets,
    sustained_serving,
)
from gpuatlas.errors import InvalidRequestError

sys.path.insert(0, str(Path(__file__).parent))
from fakes import fake_factory  # noqa: E402
from test_single_slot_pool import _one_at_a_time  # noqa: E402

SYSTEM = build_system(resolve_gpu("a100-80gb-pcie"), 1)
WORKLOAD = Workload("llama-2-13b", "fp16", 1.0, 512, 256)  # fakes: a 13B in fp16


@pytest.mark.unit
def test_cost_is_sized_for_the_targets_plan_is_sized_for() -> None:
    assert serving_targets(Slo()) == planning_slo(Slo())  # the default p95 TTFT of 2 s
    assert serving_targets(Slo(p95_tpot_ms=50.0)) == planning_slo(Slo(p95_tpot_ms=50.0))
    assert serving_targets(Slo(p95_e2e_ms=9000.0)) == Slo(p95_e2e_ms=9000.0)
    assert serving_targets(Slo(), utilization=0.7) == Slo()  # a share of saturation, asked for


@pytest.mark.unit
@pytest.mark.parametrize("rps", [3.0, 40.0])
def test_a_stated_traffic_gets_the_replicas_plan_gives_it(rps: float) -> None:
    factory = fake_factory()
    sustained = sustained_serving(SYSTEM, WORKLOAD, Slo(), source_factory=factory, rps=rps)
    scenario = serving_scenario(SYSTEM, WORKLOAD.with_rate(rps), planning_slo(Slo()), factory)
    assert isinstance(sustained, SustainedServing)
    assert sustained.replicas == scenario.replicas_needed
    assert sustained.rps * sustained.replicas == pytest.approx(rps)
    assert sustained.latency.p95_ttft_ms <= DEFAULT_P95_TTFT_MS


@pytest.mark.unit
def test_one_request_at_a_time_replicas_are_the_m_d_c_pools_count() -> None:
    """Replicas of one sequence each form an M/D/c pool: the fewest whose p95 wait keeps
    TTFT within 2 s (Erlang C with Allen-Cunneen's constant-service scaling)."""
    rps = 10.0
    sustained = sustained_serving(SYSTEM, WORKLOAD, Slo(), source_factory=_one_at_a_time, rps=rps)
    found = serving_scenario(SYSTEM, WORKLOAD.with_rate(rps), planning_slo(Slo()), _one_at_a_time)
    floor = found.assessment.floor
    assert isinstance(sustained, SustainedServing) and floor is not None
    service_s = floor.p95_e2e_ms / 1000.0
    allowed_s = (DEFAULT_P95_TTFT_MS - floor.p95_ttft_ms) / 1000.0
    assert sustained.replicas == fewest_pool_replicas(rps, service_s, allowed_s, 4096)
    assert wait_quantile_s(sustained.replicas, rps, service_s, 0.95) <= allowed_s
    assert wait_quantile_s(sustained.replicas - 1, rps, service_s, 0.95) > allowed_s


@pytest.mark.unit
def test_without_a_traffic_one_replica_runs_at_the_highest_rate_within_the_default() -> None:
    """One request at a time: one replica is an M/D/1 queue; its rate is the highest whose p95
    wait keeps TTFT within 2 s, to the bisection's resolution, not 70 % of saturation."""
    sustained = sustained_serving(SYSTEM, WORKLOAD, Slo(), source_factory=_one_at_a_time)
    found = serving_scenario(SYSTEM, WORKLOAD, planning_slo(Slo()), _one_at_a_time).assessment
    assert isinstance(sustained, SustainedServing) and found.floor is not None
    service_s = found.floor.p95_e2e_ms / 1000.0
    allowed_s = (DEFAULT_P95_TTFT_MS - found.floor.p95_ttft_ms) / 1000.0
    step_rps = found.capacity_bound_rps / 2**RATE_SEARCH_STEPS
    assert wait_quantile_s(1, sustained.rps, service_s, 0.95) <= allowed_s
    assert wait_quantile_s(1, sustained.rps + 2 * step_rps, service_s, 0.95) > allowed_s
    assert sustained.latency.p95_ttft_ms <= DEFAULT_P95_TTFT_MS
    assert sustained.basis.startswith("the highest rate one replica serves within p95 TTFT")
    assert "default" in sustained.basis


@pytest.mark.unit
def test_cost_and_plan_give_the_same_replicas_and_price_for_the_same_traffic() -> None:
    rps, gpu = 5.0, "rtx-4090"
    common = {"model": "llama-3.1-8b", "gpus": [gpu], "rps": rps}
    cost = cost_report(RentingCostRequest.model_validate({**common, "workload": "llm"}))
    plan = serving_plan(
        ServingPlanRequest.model_validate({**common, "weights": ["bf16"], "gpu_counts": [1]})
    )
    option = plan.options[0]
    row = next(s for s in cost.serving if s.price.label == option.offer_label)
    assert row.sustained.weights == option.weights == "bf16"
    assert row.sustained.replicas == option.replicas
    tokens_per_hour = rps * 256 * 3600
    plan_usd_per_million = option.usd_per_hour / tokens_per_hour * 1e6
    assert row.usd_per_million_output_tokens.value == pytest.approx(plan_usd_per_million)


@pytest.mark.unit
def test_the_json_states_the_target_and_the_full_load_figure_apart() -> None:
    request = RentingCostRequest.model_validate(
        {"model": "llama-3.1-8b", "gpus": ["rtx-4090"], "workload": "llm"}
    )
    document = cost_document(request)
    assert document["slo"]["p95_ttft_ms"] == DEFAULT_P95_TTFT_MS
    assert document["slo"]["default_ttft"] is True
    assert document["slo_text"].startswith("p95 TTFT ≤ 2,000 ms (default: MLPerf")
    row = document["serving"][0]
    saturated = row["usd_per_million_output_tokens_at_saturation"]
    assert saturated <= row["usd_per_million_output_tokens"]["value"]  # full load: a floor
    rate = row["sustained"]["full_load_tok_s"] * 3600
    assert saturated == pytest.approx(row["price"]["usd_per_hour"] / rate * 1e6, rel=1e-2)


@pytest.mark.unit
def test_a_share_of_saturation_is_used_only_when_asked_for() -> None:
    request = RentingCostRequest.model_validate(
        {"model": "llama-3.1-8b", "gpus": ["rtx-4090"], "workload": "llm", "utilization": 0.7}
    )
    report = cost_report(request)
    sustained = report.serving[0].sustained
    assert report.slo == Slo()
    assert sustained.basis == "70% of its full-load throughput (--utilization)"
    # the full-load rate `compare` gives (full_load_serving), so 100 % prices as full load
    assert sustained.rps * 256 == pytest.approx(0.7 * sustained.full_load_tok_s)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"utilization": 0.7, "rps": 2.0}, "give one or the other"),
        ({"utilization": 0.7, "p95_ttft_ms": 500.0}, "give one or the other"),
        ({"workload": "image", "rps": 2.0}, "--rps sizes LLM serving"),
    ],
)
def test_conflicting_sizing_options_are_refused(extra: dict[str, object], message: str) -> None:
    values = {"model": "llama-3.1-8b", "gpus": ["rtx-4090"], "workload": "llm", **extra}
    with pytest.raises(InvalidRequestError, match=message):
        cost_report(RentingCostRequest.model_validate(values))


@pytest.mark.unit
def test_the_cli_names_the_replicas_a_stated_traffic_needs() -> None:
    arguments = ["cost", "--workload", "llm", "--model", "llama-3.1-8b", "--gpu", "rtx-4090"]
    result = CliRunner().invoke(app, [*arguments, "--rps", "10"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    report = cost_report(
        RentingCostRequest.model_validate(
            {"model": "llama-3.1-8b", "gpus": ["rtx-4090"], "workload": "llm", "rps": 10.0}
        )
    )
    replicas = report.serving[0].sustained.replicas
    # 10 req/s of 256 tokens, 2,560 output tok/s: about twice what one RTX 4090 serves at full
    # load (vLLM, Llama-3.1-8B bf16, ~1,300 tok/s), so never within one replica
    assert replicas > 1
    text = " ".join(result.output.split())
    assert f"Cheapest: rtx-4090 ({replicas} replicas) at" in text
    assert "fewest replicas serving 10 req/s within p95 TTFT ≤ 2,000 ms (default" in text


@pytest.mark.unit
def test_a_training_cost_without_a_token_count_says_how_to_give_one() -> None:
    values = {"model": "llama-3.1-8b", "gpus": ["h100"], "workload": "training", "method": "lora"}
    with pytest.raises(InvalidRequestError, match=r"--train-tokens 1e8 for 100M tokens\), got 0"):
        cost_report(RentingCostRequest.model_validate(values))


@pytest.mark.unit
def test_the_details_table_shows_the_replicas_and_the_full_load_price_apart() -> None:
    arguments = ["cost", "--workload", "llm", "--model", "llama-3.1-8b", "--gpu", "rtx-4090"]
    result = CliRunner().invoke(
        app, [*arguments, "--rps", "10", "--details", "--json"], env={"COLUMNS": "200"}
    )
    row = json.loads(result.stdout)["serving"][0]
    shown = CliRunner().invoke(
        app, [*arguments, "--rps", "10", "--details"], env={"COLUMNS": "400"}
    )
    text = " ".join(shown.output.split())
    assert "replicas" in text and "full load" in text
    assert "full load: the serving model with as many requests in flight as the engine" in text
    assert row["sustained"]["replicas"] > 1
    assert (
        row["usd_per_million_output_tokens_at_saturation"]
        <= (row["usd_per_million_output_tokens"]["value"])
    )
