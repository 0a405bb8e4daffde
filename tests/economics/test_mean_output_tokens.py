"""Requests that stop at end-of-sequence before their output length (`--mean-output-tokens`,
a client without --ignore-eos) in the priced answers: a workload of such requests is served as
requests of the mean length, as `predict serving` costs a steady stream, so one replica serves
more requests per second and its full-load figure is predict serving's for the same run."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictServingRequest, predict_serving_document
from gpuatlas.app.requests import parse_request
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.serving_candidate import Slo, Workload, mean_output_problems
from gpuatlas.economics.unit_costs import SustainedServing, sustained_serving

pytestmark = pytest.mark.unit

CAP = 256


def _workload(mean: float | None) -> Workload:
    return Workload("llama-3.1-8b", "fp8", 1.0, 512, CAP, "vllm").stopping_early(mean)


def test_requests_that_stop_early_are_served_at_the_mean_length() -> None:
    stopping = _workload(128)
    assert stopping.output_tokens == 128 and stopping.output_cap == CAP
    assert stopping.output_length == CAP
    assert stopping.traffic().mean_output_tokens == 128
    assert stopping.output_text() == "≤ 256 (mean 128, end-of-sequence)"
    assert "128 of 256 output tokens on average" in stopping.early_stop_note()
    assert stopping.problems() == []


@pytest.mark.parametrize("mean", [None, float(CAP)])
def test_no_mean_or_the_cap_itself_changes_nothing(mean: float | None) -> None:
    assert _workload(mean) == _workload(None)
    assert _workload(mean).early_stop_note() == ""
    assert _workload(mean).output_text() == "256"


@pytest.mark.parametrize("mean", [300.0, 0.5, -4.0])
def test_a_mean_outside_one_to_the_cap_is_refused(mean: float) -> None:
    expected = mean_output_problems(CAP, mean)
    assert len(expected) == 1 and "from 1 to the output length" in expected[0]
    assert _workload(mean).problems() == expected


def _sustained(mean: float | None, utilization: float | None = None) -> SustainedServing:
    found = sustained_serving(resolve_system("rtx-4090"), _workload(mean), Slo(), utilization)
    assert isinstance(found, SustainedServing)
    return found


def test_shorter_requests_raise_the_requests_a_replica_serves() -> None:
    full, half = _sustained(None), _sustained(128)
    assert half.rps > 1.3 * full.rps
    # each request yields its mean: the tokens/s are the rate times the mean, not the cap
    assert half.output_tok_s == pytest.approx(half.rps * 128)
    assert half.output_tok_s < full.output_tok_s  # prefill weighs more per token generated


def test_the_full_load_figure_is_predict_servings_for_the_same_run() -> None:
    for mean in (128.0, 100.4):
        request = parse_request(
            PredictServingRequest,
            {
                "system": "rtx-4090",
                "model": "llama-3.1-8b",
                "weights": "fp8",
                "engine": "vllm",
                "input_tokens": 512,
                "output_tokens": CAP,
                "mean_output_tokens": mean,
            },
        )
        expected = predict_serving_document(request)["serving_output_tok_s"]["value"]
        assert _sustained(mean, utilization=1.0).full_load_tok_s == pytest.approx(expected)
