"""`cost` answers "which GPU?": without --gpu it ranks every GPU with an offer by the cost of
the work at its own speed, one line per GPU, the winner first."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.app.economics_requests import CostRequest, run_cost
from gpuatlas.errors import InvalidRequestError


@pytest.fixture(scope="module")
def ranked():  # type: ignore[no-untyped-def]
    return run_cost(CostRequest((), "llama-3.1-8b", "auto", "vllm", "llm"))


def test_every_gpu_with_an_offer_competes_cheapest_first(ranked) -> None:  # type: ignore[no-untyped-def]
    assert ranked.all_gpus
    assert len(ranked.ranking) >= 10
    costs = [line.best.value for line in ranked.ranking]
    assert costs == sorted(costs)
    assert [line.rank for line in ranked.ranking] == list(range(1, len(costs) + 1))
    assert len({line.system_id for line in ranked.ranking}) == len(costs)


def test_each_line_is_the_systems_cheapest_offer_and_on_demand_is_on_demand(ranked) -> None:  # type: ignore[no-untyped-def]
    for line in ranked.ranking:
        offers = [row for row in ranked.serving if row.system_id == line.system_id]
        # an offer whose GPU variant the provider does not name counts only when none names it
        named = [row for row in offers if row.price.gpu_match == "exact"] or offers
        assert line.best.value == min(r.usd_per_million_output_tokens.value for r in named)
        if line.on_demand_offer is not None:
            assert line.on_demand_offer.tier == "on-demand"
            assert line.on_demand is not None and line.on_demand.value >= line.best.value


def test_rent_without_a_gpu_says_how_to_rank() -> None:
    with pytest.raises(InvalidRequestError, match="rank every GPU"):
        run_cost(CostRequest((), None, "auto", "vllm", "rent"))


def test_cli_names_the_winner_in_json_and_text() -> None:
    from gpuatlas.cli.main import app

    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "cost",
            "--model",
            "llama-3.1-8b",
            "--workload",
            "llm",
            "--gpu",
            "rtx-4090",
            "--gpu",
            "a100-80gb-sxm",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["winner"]["system_id"] == document["ranking"][0]["system_id"]
    assert {line["system_id"] for line in document["ranking"]} == {"rtx-4090", "a100-80gb-sxm"}
    text = runner.invoke(
        app,
        [
            "cost",
            "--model",
            "llama-3.1-8b",
            "--workload",
            "llm",
            "--gpu",
            "rtx-4090",
            "--gpu",
            "a100-80gb-sxm",
        ],
    )
    assert "Cheapest:" in text.output


def test_an_instance_rented_whole_says_so_in_its_label() -> None:
    from gpuatlas.economics.offer_costs import OfferPrice

    whole = OfferPrice(
        "Lambda",
        "on-demand",
        "2026-09-01",
        "src",
        "8x H100",
        "h100-sxm",
        "exact",
        2.99,
        8,
        False,
        1,
        23.92,
    )
    single = OfferPrice(
        "RunPod", "community", "2026-09-01", "src", "", "rtx-4090", "exact", 0.34, 1, True, 1, 0.34
    )
    assert "whole 8-GPU instance" in whole.label
    assert "instance" not in single.label
