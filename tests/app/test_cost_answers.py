"""`gpuatlas cost` as a user reads it: a GPU without a catalog TDP is still ranked (its energy
figures are left out, never invented), the ranking says what it assumed and which model and
calibration predicted it, and each line shows the hourly price it was computed from."""

from __future__ import annotations

import dataclasses
import json

from typer.testing import CliRunner

from gpuatlas.app.cost import RentingCostRequest, cost_report
from gpuatlas.catalog.prices import packaged_prices
from gpuatlas.catalog.systems import build_system, resolve_system
from gpuatlas.cli.cost_rent import ranking_basis, smaller_formats_hint
from gpuatlas.cli.main import app
from gpuatlas.economics.power import tdp_power
from gpuatlas.economics.serving_candidate import Slo, Workload
from gpuatlas.economics.unit_costs import serving_cost, sustained_serving

runner = CliRunner()
ARGUMENTS = ["cost", "--model", "llama-3.1-8b", "--workload", "llm"]
ARGUMENTS += ["--gpu", "rtx-4090", "--gpu", "a100-80gb-sxm"]


def test_a_gpu_without_a_tdp_is_costed_without_energy_figures() -> None:
    rtx = resolve_system("rtx-4090").gpu
    no_tdp = build_system(dataclasses.replace(rtx, tdp_w=None), 1)
    assert tdp_power(no_tdp) is None and tdp_power(resolve_system("rtx-4090")) is not None
    sustained = sustained_serving(no_tdp, Workload("llama-3.1-8b", "bf16", 1.0, 512, 256), Slo())
    offer = next(o for o in packaged_prices() if o.gpu_id == "rtx-4090")
    cost = serving_cost(no_tdp, offer, sustained)  # type: ignore[arg-type]
    assert cost.power is None and cost.output_tokens_per_joule is None
    assert cost.kwh_per_million_output_tokens is None
    assert cost.usd_per_million_output_tokens.value > 0


def test_the_ranking_states_its_basis_and_the_price_of_each_offer() -> None:
    result = runner.invoke(app, ARGUMENTS)
    assert result.exit_code == 0, result.output
    report = cost_report(
        RentingCostRequest.model_validate(
            {"gpus": ["rtx-4090", "a100-80gb-sxm"], "model": "llama-3.1-8b", "workload": "llm"}
        )
    )
    winner = report.ranking[0]
    text = " ".join(result.output.split())  # the console wraps long lines at spaces
    basis = text[text.index("basis:") :]
    share = "the highest rate one replica serves within p95 TTFT ≤ 2,000 ms (default"
    assert basis.startswith("basis: llama-3.1-8b bf16 on vllm, requests of 512 in / 256 out")
    # a long calibration version is folded at the terminal's width: compare without spaces
    assert share in basis and winner.best.calibration_version in "".join(basis.split())
    price = f"${winner.best_offer.usd_per_gpu_hour:.2f}/GPU-h"
    cheapest = text[text.index("Cheapest:") :]
    assert f"per 1M output tokens on {winner.best_offer.label} at {price}" in cheapest


def test_the_basis_names_the_engine_of_each_system_that_serves_with_another() -> None:
    # `auto` serves a P40 (compute capability 6.1, below vLLM's 7.0) with llama.cpp and an
    # MI300X with vLLM's ROCm build: the basis said "on vllm" for every ranked system
    values = {"gpus": ["rtx-4090", "a100-80gb-sxm", "p40"], "model": "llama-3.1-8b"}
    request = RentingCostRequest.model_validate({**values, "workload": "llm"})
    basis = ranking_basis(cost_report(request), request)
    assert basis.startswith("basis: llama-3.1-8b bf16 on vllm (on p40: llama.cpp), requests of")
    only_vllm = RentingCostRequest.model_validate(
        {"gpus": ["rtx-4090", "a100-80gb-sxm"], "model": "llama-3.1-8b", "workload": "llm"}
    )
    assert ranking_basis(cost_report(only_vllm), only_vllm).startswith(
        "basis: llama-3.1-8b bf16 on vllm, requests of"
    )


def test_cost_json_still_ranks_and_names_the_winner() -> None:
    result = runner.invoke(app, [*ARGUMENTS, "--json"])
    document = json.loads(result.stdout)
    assert document["winner"]["system_id"] == document["ranking"][0]["system_id"]
    assert {line["system_id"] for line in document["ranking"]} == {"rtx-4090", "a100-80gb-sxm"}


def test_a_training_ranking_states_the_winners_own_setup() -> None:
    request = RentingCostRequest.model_validate(
        {
            "gpus": ["mi300x", "h100-sxm"],
            "model": "llama-3.1-8b",
            "workload": "training",
            "train_tokens": 1e9,
        }
    )
    report = cost_report(request)
    winner = report.ranking[0].system_id
    work = next(job.work for job in report.jobs if job.system_id == winner)
    assert work.startswith("training on 1,000,000,000 tokens (full, micro-batch")
    assert ranking_basis(report, request).startswith(f"basis: llama-3.1-8b, {work} on {winner},")


def test_gpus_left_out_on_memory_are_pointed_to_the_formats_that_fit_them() -> None:
    values = {"gpus": ["rtx-a4000", "rtx-4090"], "model": "llama-3.1-8b", "workload": "llm"}
    request = RentingCostRequest.model_validate(values)
    report = cost_report(request)
    assert [line.system_id for line in report.cannot_run] == ["rtx-a4000"]
    assert report.cannot_run[0].reason.startswith("memory")
    assert smaller_formats_hint(report, request) == (
        "; those left out on memory in bf16 may fit a smaller format "
        "(--weights fp8, --weights awq-int4)"
    )
    smaller = cost_report(RentingCostRequest.model_validate({**values, "weights": "awq-int4"}))
    assert {line.system_id for line in smaller.ranking} == {"rtx-a4000", "rtx-4090"}


def test_ollama_runs_a_model_larger_than_the_gpu_partly_on_the_cpu_so_nothing_is_left_out() -> None:
    # qwen3:30b-a3b's Ollama build is q4_k_m (~18.6 GB): on a 16 GB RTX A4000 Ollama keeps the
    # layers that fit on the GPU and runs the rest on the CPU (its own split, 52dc6dd), so the
    # A4000 is costed (slower), not left out, and no smaller format is suggested
    values = {"gpus": ["rtx-a4000", "rtx-4090"], "model": "qwen3:30b-a3b", "workload": "llm"}
    request = RentingCostRequest.model_validate(values)
    report = cost_report(request)
    assert not report.cannot_run
    assert {line.system_id for line in report.ranking} == {"rtx-a4000", "rtx-4090"}
    assert report.ranking[0].system_id == "rtx-4090"  # every layer on the GPU
    assert smaller_formats_hint(report, request) == ""
