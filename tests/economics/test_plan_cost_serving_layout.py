"""`plan` and `cost` serve a system of N GPUs in the layout the serving model picks for it
(`full_load.layout_group`, the layout of `full_load_serving`, which `compare` and `cost`'s
full-load note use): replicas of one GPU when the model fits one, tensor parallel when it
must, a mix in between; each engine replica is simulated at its share of the traffic, and the
answer names the layout. Before, plan and cost ran one tensor-parallel replica over every GPU
while the full-load figure beside it was the replicas' (2x rtx-4090, llama-3.1-8b fp8:
~2,870 output tok/s priced next to 'full load 5,259')."""

from __future__ import annotations

import math

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_report, full_load_note, layout_notes
from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.app.fleet import FleetPlanRequest, fleet_plan
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics import planning
from gpuatlas.economics.fleet import layout_lines
from gpuatlas.economics.serving_candidate import Slo, Workload, assess
from gpuatlas.economics.unit_costs import SustainedServing, sustained_serving
from gpuatlas.numbers import format_number

WORKLOAD = Workload("llama-3.1-8b", "fp8", 1.0, 512, 256)


def _sustained(spec: str, workload: Workload = WORKLOAD) -> SustainedServing:
    found = sustained_serving(resolve_system(spec), workload, Slo())
    assert isinstance(found, SustainedServing), found
    return found


def test_two_gpus_that_each_hold_the_model_serve_twice_one_gpu() -> None:
    one, two = _sustained("rtx-4090"), _sustained("2x rtx-4090")
    assert one.layout == ""
    assert two.layout == "2 replicas of 1 GPU each"
    assert two.saturation_rps == pytest.approx(2 * one.saturation_rps, rel=1e-9)
    assert two.full_load_tok_s == pytest.approx(2 * one.full_load_tok_s, rel=1e-9)
    # the rate priced is the two replicas': the system's share of the target is twice one GPU's
    assert two.output_tok_s == pytest.approx(2 * one.output_tok_s, rel=1e-9)
    assert two.max_batch == one.max_batch  # a batch is one engine replica's


def test_cost_prices_the_rate_its_full_load_note_gives() -> None:
    request = RentingCostRequest.model_validate(
        {"gpus": ["2x rtx-4090"], "model": "qwen2.5-7b", "workload": "llm"}
    )
    report = cost_report(request)
    row = next(r for r in report.serving if r.price == report.ranking[0].best_offer)
    sustained = row.sustained
    # the two replicas' sustainable rate is above their full-load rate, so they are priced at it
    assert sustained.output_tok_s == pytest.approx(sustained.full_load_tok_s, rel=1e-9)
    assert row.usd_per_million_output_tokens.value == pytest.approx(
        row.usd_per_million_output_tokens_at_saturation, rel=0.01
    )
    note = full_load_note(report)
    assert note.startswith("2x rtx-4090 already serves its full-load rate within the target")
    assert f"({format_number(sustained.full_load_tok_s)} output tok/s" in note
    assert layout_notes(report) == [
        "2x rtx-4090 serves the model as 2 replicas of 1 GPU each, its best layout (as "
        "`gpuatlas compare` and `predict serving` have it): its rates and prices are the "
        "replicas' together"
    ]


def test_a_model_too_large_for_one_gpu_stays_tensor_parallel() -> None:
    workload = Workload("llama-3.1-70b", "awq-int4", 0.5, 512, 256)
    found = assess(resolve_system("2x rtx-4090"), workload, Slo())
    assert found.status == "ok", found.reason
    assert found.layout is not None
    assert (found.layout.replicas, found.layout.tensor_parallel) == (1, 2)
    assert found.layout_description == "one replica over 2 GPUs (tensor parallel)"
    assert found.engines == 1
    request = RentingCostRequest.model_validate(
        {
            "gpus": ["2x rtx-4090"],
            "model": "llama-3.1-70b",
            "workload": "llm",
            "weights": "awq-int4",
        }
    )
    assert layout_notes(cost_report(request)) == [
        "2x rtx-4090 serves the model as one replica over 2 GPUs (tensor parallel), its best "
        "layout (as `gpuatlas compare` and `predict serving` have it)"
    ]


def test_four_gpus_serve_a_two_gpu_model_as_two_tensor_parallel_pairs() -> None:
    workload = Workload("qwen2.5-32b", "fp8", 1.0, 512, 256)
    pair, four = _sustained("2x rtx-4090", workload), _sustained("4x rtx-4090", workload)
    assert pair.layout == "one replica over 2 GPUs (tensor parallel)"
    assert four.layout == "2 replicas of 2 GPUs (tensor parallel) each"
    assert four.saturation_rps == pytest.approx(2 * pair.saturation_rps, rel=1e-9)
    assert four.full_load_tok_s == pytest.approx(2 * pair.full_load_tok_s, rel=1e-9)


def _plan(rps: float, engine: str = "auto", weights: str = "fp8") -> dict[int, list]:
    request = PlanRequest(
        "llama-3.1-8b",
        (weights,),
        rps,
        512,
        256,
        Slo(),
        engine=engine,
        gpus=("rtx-4090",),
        gpu_counts=(1, 2),
        top=20,
    )
    options: dict[int, list] = {1: [], 2: []}
    for option in run_plan(request).options:
        options[option.gpu_count].append(option)
    return options


def test_plan_sizes_a_two_gpu_box_as_two_single_gpu_replicas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """15 req/s needs two single-GPU replicas; one 2-GPU box serving 2 replicas of 1 GPU is
    the same two engines at the same share of the traffic: same latencies, same batch (with
    every option kept: the plan itself lists such a box once, as the 1-GPU instances)."""
    listed = _plan(15.0)
    single_offers = {(o.offer_label, o.monthly_cost_usd) for o in listed[1]}
    for option in listed[2]:  # a box of two engines is listed only where it is another fleet
        if option.layout == "2 replicas of 1 GPU each":
            assert (option.offer_label, option.monthly_cost_usd) not in single_offers
    monkeypatch.setattr(planning, "distinct_deployments", list)
    options = _plan(15.0)
    single, double = options[1][0], options[2][0]
    assert single.replicas == 2
    assert double.replicas == 1
    assert double.layout == "2 replicas of 1 GPU each"
    assert double.p95_ttft_ms == pytest.approx(single.p95_ttft_ms, rel=1e-9)
    assert double.mean_batch == pytest.approx(single.mean_batch, rel=1e-9)
    assert double.per_replica_capacity_rps == pytest.approx(
        2 * single.per_replica_capacity_rps, rel=1e-9
    )
    assert double.utilization == pytest.approx(single.utilization, rel=1e-9)


def test_plan_pools_single_request_engines_across_a_box() -> None:
    """Ollama serves one request at a time per replica: a 2-GPU box is two of those servers,
    so the fewest boxes are half the fewest single GPUs, rounded up."""
    options = _plan(2.0, engine="ollama", weights="q4_k_m")
    single, double = options[1][0], options[2][0]
    assert double.layout == "2 replicas of 1 GPU each"
    assert double.replicas == math.ceil(single.replicas / 2)
    assert double.per_replica_capacity_rps == pytest.approx(
        2 * single.per_replica_capacity_rps, rel=1e-9
    )


def test_a_multi_gpu_runner_up_names_its_layout_too() -> None:
    """The runner-up of another hardware, a 2-GPU box, says how it serves the model as the
    winner's line does (its layout was only in JSON)."""
    request = PlanRequest(
        "llama-3.1-8b",
        ("fp16",),
        15.0,
        512,
        256,
        Slo(),
        gpus=("rtx-4090", "l40s"),
        gpu_counts=(2,),
        top=20,
    )
    plan = run_plan(request)
    assert plan.explanation is not None
    winner = plan.options[0]
    runner = next(o for o in plan.options if o.gpu != winner.gpu)
    assert runner.layout
    lines = plan.explanation.lines
    assert any(line.startswith(f"Each {winner.product_label}") for line in lines)
    assert any(line.startswith(f"Each {runner.product_label}") for line in lines)
    assert runner.product_label != winner.product_label


def test_a_runner_up_on_the_same_hardware_does_not_repeat_the_layout() -> None:
    """Two offers of the same 2-GPU box: one layout line, not two identical ones."""
    request = PlanRequest(
        "llama-3.1-8b", ("fp16",), 15.0, 512, 256, Slo(), gpus=("rtx-4090",), gpu_counts=(2,)
    )
    plan = run_plan(request)
    assert plan.explanation is not None
    layout = [line for line in plan.explanation.lines if line.startswith("Each ")]
    assert len(layout) == 1


def test_a_fleet_names_each_multi_gpu_pool_s_layout() -> None:
    request = FleetPlanRequest.model_validate(
        {
            "models": ["llama-3.1-8b=0.5", "qwen2.5-7b=0.5"],
            "weights": ["fp8"],
            "rps": 20,
            "gpus": ["rtx-4090"],
            "gpu_counts": [2],
        }
    )
    fleet = fleet_plan(request)
    lines = layout_lines(fleet)
    assert [line.split(":")[0] for line in lines] == ["llama-3.1-8b", "qwen2.5-7b"]
    for line in lines:
        assert "serves the model as 2 replicas of 1 GPU each" in line
        assert "batch column" not in line  # a fleet's tables have no batch column


def test_a_box_of_several_engine_replicas_is_counted_in_nodes() -> None:
    """'1 replica of 2× RTX 4090' beside '2 replicas of 1 GPU each' used 'replica' for two
    things: a multi-GPU system holding several engine replicas is a node; one tensor-parallel
    replica over the system stays a replica."""
    plan = run_plan(
        PlanRequest(
            "llama-3.1-8b", ("fp8",), 15.0, 512, 256, Slo(), gpus=("rtx-4090",), gpu_counts=(2,)
        )
    )
    assert plan.explanation is not None
    winner_line = plan.explanation.lines[0]
    assert winner_line.startswith("Winner: 1 node of 2× RTX 4090 fp8 on ")
    assert "of each node's ceiling of" in winner_line
    tensor = run_plan(
        PlanRequest(
            "qwen2.5-32b", ("fp8",), 1.0, 512, 256, Slo(), gpus=("rtx-4090",), gpu_counts=(2,)
        )
    )
    assert tensor.explanation is not None
    assert tensor.options[0].layout == "one replica over 2 GPUs (tensor parallel)"
    assert tensor.explanation.lines[0].startswith("Winner: 1 replica of 2× RTX 4090 fp8 on ")


def test_the_winner_line_calls_its_capacity_a_ceiling_not_a_sustained_rate() -> None:
    """'each replica sustains <= 6.37 req/s' read as a capacity while the simulation, at 6
    req/s on one replica, missed the TPOT target: it is the closed-form ceiling."""
    plan = run_plan(
        PlanRequest("llama-3.1-8b", ("fp8",), 15.0, 512, 256, Slo(), gpus=("rtx-4090",))
    )
    assert plan.explanation is not None
    winner_line = " ".join(plan.explanation.lines[0].split())
    assert "sustains" not in winner_line
    assert "a closed-form bound, before queueing and prefill interference" in winner_line
