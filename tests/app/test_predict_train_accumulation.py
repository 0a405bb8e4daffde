"""`gpuatlas predict train --gradient-accumulation N`: N micro-steps share one optimizer step and,
under DDP, one gradient all-reduce (training/optimizer.py, speed.exposed_sync_s), so the exposed
all-reduce per micro-step is 1/N of the single-step one; the setup line says so."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.app.predict import PredictTrainRequest, predict_train_document
from gpuatlas.cli.main import app


def _request(**values: object) -> PredictTrainRequest:
    return PredictTrainRequest.model_validate(
        {
            "system": "2x l40s",
            "model": "llama-3.2-1b",
            "micro_batch": 1,
            "sequence_tokens": 512,
            **values,
        }
    )


@pytest.mark.unit
def test_accumulation_spreads_the_ddp_all_reduce_over_its_micro_steps() -> None:
    once = predict_train_document(_request())
    eight = predict_train_document(_request(gradient_accumulation=8))
    assert once["exposed_allreduce_s"]["value"] > 0
    assert eight["exposed_allreduce_s"]["value"] == pytest.approx(
        once["exposed_allreduce_s"]["value"] / 8
    )
    assert eight["tok_s"]["value"] > once["tok_s"]["value"]
    assert "gradient accumulation 8 (one optimizer step per 8 micro-steps)" in eight["setup"]
    assert "gradient accumulation" not in once["setup"]


@pytest.mark.unit
def test_the_cli_takes_the_accumulation_and_refuses_zero() -> None:
    runner = CliRunner()
    command = ["predict", "train", "2x l40s", "llama-3.2-1b", "--micro-batch", "1"]
    result = runner.invoke(app, [*command, "--gradient-accumulation", "4", "--json"])
    assert result.exit_code == 0, result.output
    assert '"gradient_accumulation": 4' in result.output
    refused = runner.invoke(app, [*command, "--gradient-accumulation", "0"])
    assert refused.exit_code != 0
    assert "gradient-accumulation" in refused.output
