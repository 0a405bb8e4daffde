"""`predict serving --mean-output-tokens`: requests that stop at end-of-sequence before the
cap (a client without --ignore-eos) get the answer a case file's mean_output_tokens column
gets for the same run, the answer states it, and a mean above the cap is refused together
with the request's other problems."""

from __future__ import annotations

from dataclasses import replace

import pytest
from typer.testing import CliRunner

from gpuatlas.app.predict import PredictServingRequest, predict_serving_document
from gpuatlas.app.requests import parse_request
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.cases import Case, predict_case

pytestmark = pytest.mark.unit

# a 7B model on an A40 asking for 600 tokens, 443.4 generated on average (databasemart's shape)
RUN = {"system": "a40", "model": "qwen2.5-7b", "weights": "bf16", "engine": "vllm"}


def _served(values: dict[str, object]) -> float:
    request = parse_request(PredictServingRequest, {**RUN, "input_tokens": 100, **values})
    return float(predict_serving_document(request)["serving_output_tok_s"]["value"])


@pytest.mark.parametrize(
    ("gpus", "requests"),
    [(1, None), (1, 50), (1, 70), (2, 50)],  # steady state, one full wave, 1.4 waves, 2 GPUs
)
def test_the_answer_is_the_case_files_for_the_same_run(gpus: int, requests: int | None) -> None:
    case = Case("a40", gpus, "qwen2.5-7b", "bf16", "vllm", 50, 100, 600, "serving_output_tok_s")
    expected = predict_case(replace(case, requests=requests, mean_output_tokens=443.4)).value
    found = _served(
        {
            "system": f"{gpus}x a40",
            "concurrency": 50,
            "output_tokens": 600,
            "mean_output_tokens": 443.4,
            "requests": requests,
        }
    )
    assert found == pytest.approx(expected, rel=1e-9)


def test_a_finite_run_that_stops_early_yields_less_than_one_that_runs_to_the_cap() -> None:
    full = _served({"concurrency": 50, "output_tokens": 600, "requests": 50})
    stopped = _served(
        {"concurrency": 50, "output_tokens": 600, "mean_output_tokens": 300, "requests": 50}
    )
    # every wave lasts until its longest request reaches the cap: half the tokens, same time
    assert stopped == pytest.approx(full * 0.5, rel=1e-9)


def test_a_mean_at_the_cap_is_the_full_length_answer() -> None:
    full = _served({"concurrency": 8, "output_tokens": 256})
    assert _served({"concurrency": 8, "output_tokens": 256, "mean_output_tokens": 256}) == full


def test_every_problem_at_once_a_mean_above_the_cap_among_them() -> None:
    values = {**RUN, "output_tokens": 256, "mean_output_tokens": 300, "concurrency": 0}
    with pytest.raises(InvalidRequestError) as raised:
        parse_request(PredictServingRequest, values)
    problems = " | ".join(raised.value.problems)
    assert "concurrency" in problems
    assert "mean_output_tokens: at most the output cap (256) it stops before, got 300" in problems
    with pytest.raises(InvalidRequestError, match="mean_output_tokens"):
        parse_request(PredictServingRequest, {**RUN, "mean_output_tokens": 0})


def test_the_command_states_the_cap_and_the_mean() -> None:
    arguments = ["predict", "serving", "a40", "qwen2.5-7b", "--output", "600"]
    result = CliRunner().invoke(app, [*arguments, "--mean-output-tokens", "443.4"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "512 in / ≤ 600 (mean 443.4, end-of-sequence) out tokens" in text
    assert "requests stop at end-of-sequence: 443.4 of 600 tokens on average" in text
