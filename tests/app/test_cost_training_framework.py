"""`gpuatlas cost --workload training --framework …` prices the run the framework would make:
the same option and parsing as `predict train --framework`, and the same hours."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.app.cost import RentingCostRequest, cost_document, cost_report
from gpuatlas.app.predict import PredictTrainRequest, predict_train_document
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError

runner = CliRunner()
TRAINING = {
    "gpus": ["h100-sxm"],
    "model": "llama-3.1-8b",
    "workload": "training",
    "train_tokens": 1e9,
    "method": "lora",
}


def _hours(framework: str) -> tuple[float, str]:
    request = RentingCostRequest.model_validate({**TRAINING, "framework": framework})
    job = cost_report(request).jobs[0]
    return job.hours.value, job.work


def _predicted_hours(framework: str) -> float:
    document = predict_train_document(
        PredictTrainRequest(
            system="h100-sxm",
            model="llama-3.1-8b",
            tokens=1e9,
            method="lora",
            framework=framework,
            micro_batch=4,
            recompute=False,
        )
    )
    return float(document["time_for_budget_h"]["value"])


def test_the_training_cost_takes_the_frameworks_own_speed() -> None:
    pytorch_hours, pytorch_work = _hours("pytorch")
    nemo_hours, nemo_work = _hours("NeMo 24.09")
    assert pytorch_hours == pytest.approx(_predicted_hours("pytorch"))
    assert nemo_hours == pytest.approx(_predicted_hours("nemo"))
    assert nemo_hours != pytest.approx(pytorch_hours)  # Megatron has its own calibrated level
    assert "micro-batch 4" in nemo_work and nemo_work.endswith("Megatron-Core / NeMo)")
    assert pytorch_work.endswith("PyTorch (FSDP / DDP))")


def test_an_unknown_framework_is_one_error_with_close_matches() -> None:
    request = RentingCostRequest.model_validate({**TRAINING, "framework": "nemoo"})
    with pytest.raises(InvalidRequestError) as raised:
        cost_report(request)
    assert raised.value.problems == [
        "unknown training framework 'nemoo'; close matches: nemo, nemo-megatron, "
        "nemo-framework, nvidia-nemo"
    ]


def test_the_cost_command_accepts_the_framework_option() -> None:
    arguments = ["cost", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--workload"]
    arguments += ["training", "--train-tokens", "1e9", "--method", "lora"]
    result = runner.invoke(app, [*arguments, "--framework", "megatron", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["request"]["framework"] == "megatron"
    assert document["jobs"][0]["work"].endswith("Megatron-Core / NeMo)")


def test_the_cost_says_whose_level_priced_a_framework_without_rows() -> None:
    request = RentingCostRequest.model_validate({**TRAINING, "framework": "unsloth"})
    document = cost_document(request)
    assert document["framework_note"] == (
        "framework: Unsloth; no packaged measurements of its own: predicted at the calibrated "
        "level of PyTorch (FSDP / DDP)"
    )
    serving = RentingCostRequest.model_validate({**TRAINING, "workload": "llm"})
    assert "framework_note" not in cost_document(serving)
