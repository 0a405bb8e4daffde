"""`cost --workload llm` answers the serving question: a ranking says how many tokens a day its
$/1M assumes (and what the rental costs a day with less traffic); when no named system holds
the model it says which GPU count or smaller format does, instead of printing every offer's
rental table."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from gpuatlas.app.cost import (
    RentingCostRequest,
    cost_document,
    cost_report,
    daily_volume_note,
    memory_way_outs,
)
from gpuatlas.cli.main import app

runner = CliRunner()


def _output(arguments: list[str], status: int = 0) -> str:
    result = runner.invoke(app, ["cost", *arguments], env={**os.environ, "COLUMNS": "80"})
    assert result.exit_code == status, result.output
    return " ".join(result.output.split())


def test_a_seventy_b_on_one_a100_points_to_two_gpus_or_fp8() -> None:
    request = RentingCostRequest(gpus=["a100-80gb-sxm"], model="llama-3.1-70b", workload="llm")
    (way,) = memory_way_outs(request, cost_report(request))
    # 131 GiB of bf16 weights: two 80 GB GPUs hold it; fp8 (70 GB) fits one under vLLM's 90 %
    assert way.startswith("a100-80gb-sxm: fits on 2 GPUs in bf16 (--gpu '2x a100-80gb-sxm')")
    assert "(--weights fp8)" in way


def test_no_rental_table_when_nothing_can_serve_the_model() -> None:
    text = _output(["--model", "llama-3.1-70b", "--workload", "llm", "--gpu", "h100-sxm"], 1)
    assert "Renting" not in text and "$/GB VRAM/h" not in text
    assert "None of these systems can run this work." in text
    assert "try: h100-sxm: fits on 2 GPUs in bf16 (--gpu '2x h100-sxm')" in text


def test_details_still_lists_every_offer() -> None:
    text = _output(
        ["--model", "llama-3.1-70b", "--workload", "llm", "--gpu", "h100-sxm", "--details"], 1
    )
    assert "Renting" in text


def test_the_ranking_says_the_daily_volume_its_price_assumes() -> None:
    request = RentingCostRequest(gpus=["2x a100-80gb-sxm"], model="llama-3.1-70b", workload="llm")
    report = cost_report(request)
    note = daily_volume_note(report)
    winner = report.ranking[0]
    per_day_usd = winner.best_offer.usd_per_gpu_hour * 2 * 24
    assert f"${per_day_usd:,.2f}/day" in note
    tokens_m = float(note.split("assumes ~")[1].split("M")[0])
    # the $/1M times the tokens a day is the day's rental
    assert abs(winner.best.value * tokens_m - per_day_usd) < 0.02 * per_day_usd


def test_the_json_carries_the_same_answers() -> None:
    request = RentingCostRequest(gpus=["h100-sxm"], model="llama-3.1-70b", workload="llm")
    document = cost_document(request)
    assert document["winner"] is None and document["volume_note"] is None
    assert document["memory_way_outs"][0].startswith("h100-sxm: fits on 2 GPUs in bf16")
    ranked = cost_document(
        RentingCostRequest(gpus=["rtx-4090"], model="llama-3.1-8b", workload="llm")
    )
    assert ranked["memory_way_outs"] == [] and "output tokens a day" in ranked["volume_note"]


def test_engine_help_names_the_image_engines_too() -> None:
    result = runner.invoke(app, ["cost", "--help"], env={**os.environ, "COLUMNS": "200"})
    text = " ".join(result.output.replace("│", " ").split())
    assert "image engine (workload image: diffusers, comfyui" in text


def test_a_two_gpu_system_says_the_layout_it_is_priced_in() -> None:
    text = _output(
        ["--model", "llama-3.1-8b", "--workload", "llm", "--gpu", "2x rtx-4090", "--weights", "fp8"]
    )
    assert "note: 2x rtx-4090 serves the model as 2 replicas of 1 GPU each, its best layout" in text
