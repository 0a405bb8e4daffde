"""Work that no prediction takes is refused once, with every problem, before any GPU is tried:
`cost --workload training --method dora` printed one 'cannot run' line per GPU and exited 0, as
did `--workload image --resolution 0 --steps -3`, SDXL priced as an LLM and an LLM as images.
Targets no setup can meet (a p95 end-to-end below the p95 TTFT) and a fleet naming one model
twice are refused too; an image cost names the image model in its provenance."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from gpuatlas.app.cost import RentingCostRequest, cost_document, cost_report
from gpuatlas.app.economics_requests import FleetRequest, run_fleet
from gpuatlas.app.tco import OnPremTcoRequest
from gpuatlas.cli.main import app
from gpuatlas.economics.slo import Slo
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit


def _problems(**values: object) -> list[str]:
    with pytest.raises(InvalidRequestError) as caught:
        cost_report(RentingCostRequest.model_validate(values))
    return caught.value.problems


def test_an_unknown_training_method_is_one_problem() -> None:
    problems = _problems(model="llama-3.1-8b", workload="training", train_tokens=1e9, method="dora")
    assert problems == ["method must be one of full, lora, qlora, got 'dora'"]


def test_an_image_side_and_step_count_are_refused_together() -> None:
    assert _problems(model="sdxl", workload="image", resolution=0, steps=-3) == [
        "resolution must be at least 64 px, got 0",
        "steps must be at least 1, got -3",
    ]


def test_a_model_of_another_kind_names_the_workload_that_prices_it() -> None:
    (image_as_llm,) = _problems(model="sdxl", workload="llm")
    assert (
        image_as_llm
        == "sdxl-base-1.0 is an image model: --workload image prices it, not --workload llm"
    )
    (llm_as_image,) = _problems(model="llama-3.1-8b", workload="image")
    assert "--workload llm or --workload training prices it" in llm_as_image


def test_the_cli_exits_with_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["cost", "--model", "sdxl", "--workload", "llm"])
    assert result.exit_code == 2 and "cannot run" not in result.output


def test_an_end_to_end_target_below_the_ttft_target_is_refused() -> None:
    (problem,) = Slo(p95_ttft_ms=10, p95_e2e_ms=5).problems()
    assert problem.startswith("p95 E2E target (5 ms) is below the p95 TTFT target (10 ms)")
    assert Slo(p95_ttft_ms=10, p95_e2e_ms=10).problems() == []


def test_a_fleet_naming_one_model_twice_is_refused() -> None:
    request = FleetRequest(
        ("llama-3.1-8b=0.5", "meta-llama/Llama-3.1-8B=0.5"), (), 10.0, 512, 256, Slo()
    )
    with pytest.raises(InvalidRequestError, match="llama-3.1-8b is named twice"):
        run_fleet(request)


def test_an_image_cost_names_the_image_model_in_its_provenance() -> None:
    request = RentingCostRequest(model="sdxl", workload="image", gpus=["rtx-4090"])
    provenance = cost_document(request)["provenance"]
    assert provenance["image_times"] == "gpuatlas.diffusion/1" and "simulator" not in provenance


def test_a_rental_or_ownership_longer_than_a_century_is_refused_by_name() -> None:
    with pytest.raises(ValidationError) as caught:
        RentingCostRequest.model_validate({"gpus": ["rtx-4090"], "hours": 1e308, "days": 1e308})
    assert {error["loc"][0] for error in caught.value.errors()} == {"hours", "days"}
    with pytest.raises(ValidationError, match="years"):
        OnPremTcoRequest.model_validate({"gpus": ["rtx-4090"], "years": 1e308})
