"""A request with several mistakes lists them all in one answer: `predict llm rtx-4909
llama-3.1-8bb -w q9_k --kv-cache fp7 -e "vllm 9.9"` named the GPU and the model, then the
format and engine on the next try, the KV precision on a third; `compare rtx-4909 a100 --pue
0.5 --electricity-price -1` stopped at '--pue'; `tco rtx-4909 --condition mint` named the GPU
first."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.app.predict import PredictLlmRequest
from gpuatlas.app.requests import parse_request
from gpuatlas.app.tco import OnPremTcoRequest, tco_rows
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit


def test_every_unknown_name_of_a_prediction_at_once() -> None:
    values = {
        "system": "rtx-4909",
        "model": "llama-3.1-8bb",
        "weights": "q9_k",
        "kv_cache": "fp7",
        "engine": "vllm 9.9",
    }
    with pytest.raises(InvalidRequestError) as caught:
        parse_request(PredictLlmRequest, values)
    text = str(caught.value)
    for name in ("'rtx-4909'", "'llama-3.1-8bb'", "'q9_k'", "'fp7'", "vllm 9.9"):
        assert name in text


def test_one_unknown_name_keeps_the_answers_own_error() -> None:
    request = parse_request(PredictLlmRequest, {"system": "rtx-4090", "model": "llama-3.1-8b"})
    assert request.system == "rtx-4090"


def test_compare_lists_its_option_problems_with_the_unknown_side() -> None:
    result = CliRunner().invoke(
        app, ["compare", "rtx-4909", "a100", "--pue", "0.5", "--electricity-price", "-1"]
    )
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "--pue:" in text and "--electricity-price:" in text and "unknown GPU 'rtx-4909'" in text


def test_tco_refuses_an_unknown_condition_with_the_unknown_gpu() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        tco_rows(OnPremTcoRequest(gpus=["rtx-4909"], condition="mint"))
    assert len(caught.value.problems) == 2


def test_plan_lists_its_replicas_and_burstiness_with_the_rest() -> None:
    run = CliRunner().invoke(
        app,
        ["plan", "--model", "llama-3.1-8b", "--rps", "1", "--replicas", "0", "--num-ctx", "-5"],
    )
    text = " ".join(run.output.split())
    assert run.exit_code == 2 and "--num-ctx:" in text and "--replicas must be ≥ 1" in text
    bursty = CliRunner().invoke(
        app,
        ["plan", "--model", "llama-3.1-8b", "--rps", "1", "--length-dist", "normal"]
        + ["--burstiness", "-1"],
    )
    text = " ".join(bursty.output.split())
    assert "--length-dist:" in text and "--burstiness:" in text
