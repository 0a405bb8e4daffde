"""Serving runs whose requests stop at end-of-sequence before the length asked for (a client
without --ignore-eos): a steady state refills the freed slots, so it serves requests of the
mean length; a finite run's wave lasts until its longest request reaches the cap, so it costs
the cap's time and yields only the mean's tokens."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.calibration.case_columns import predict_table
from gpuatlas.calibration.case_files import case_from_fields, predict_fields
from gpuatlas.calibration.fitting import observe, serving_terms
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.predict import early_stop
from gpuatlas.performance.llm.vectorised import predict_llm_many

# a 7B model on an A40, 50 requests asking for 600 tokens each (the databasemart shape)
CASE = Case("a40", 1, "qwen2.5-7b", "bf16", "vllm", 50, 100, 600, "serving_output_tok_s")


@pytest.mark.unit
def test_no_mean_or_a_mean_at_the_cap_is_no_early_stop() -> None:
    assert early_stop(600, None, 50) is None
    assert early_stop(600, 600.0, 50) is None


@pytest.mark.unit
def test_a_finite_run_is_costed_at_the_cap_and_yields_the_mean_share() -> None:
    stopped = early_stop(600, 450.0, 50)
    assert stopped is not None
    assert (stopped.timed_tokens, stopped.yield_share) == (600, pytest.approx(0.75))
    full = predict_case(replace(CASE, requests=50)).value
    ended = predict_case(replace(CASE, requests=50, mean_output_tokens=450.0))
    assert ended.value == pytest.approx(full * 450 / 600)
    assert any("end-of-sequence" in note for note in ended.notes)


@pytest.mark.unit
def test_a_steady_state_serves_requests_of_the_mean_length() -> None:
    stopped = early_stop(600, 450.0, None)
    assert stopped is not None
    assert (stopped.timed_tokens, stopped.yield_share) == (450, pytest.approx(1.0))
    shorter = predict_case(replace(CASE, output_tokens=450)).value
    assert predict_case(replace(CASE, mean_output_tokens=450.0)).value == pytest.approx(shorter)


@pytest.mark.unit
def test_the_batch_path_agrees_with_the_row_path() -> None:
    cases = [replace(CASE, requests=50, mean_output_tokens=450.0)]
    assert predict_llm_many(cases)[0] == pytest.approx(predict_case(cases[0]).value)


@pytest.mark.unit
def test_the_fit_times_the_tokens_the_requests_generated() -> None:
    rows = [r for r in load_measurements() if r.mean_output_tokens is not None and r.requests]
    assert rows, "the data has finite runs that stopped at end-of-sequence"
    row = rows[0]
    found = observe(row)
    assert found is not None
    terms = serving_terms(found)
    assert terms is not None
    generated = (row.requests or 0) * (row.mean_output_tokens or 0)
    assert terms.measured_s == pytest.approx(generated / row.value)


@pytest.mark.unit
def test_a_batch_row_states_the_requests_and_their_mean_length() -> None:
    fields = {
        "gpu": "a40",
        "model": "qwen2.5-7b",
        "weights": "bf16",
        "engine": "vllm",
        "batch": "50",
        "input_tokens": "100",
        "output_tokens": "600",
        "metric": "serving_output_tok_s",
        "requests": "50",
        "mean_output_tokens": "450",
    }
    case = case_from_fields(fields)
    assert (case.requests, case.mean_output_tokens) == (50, 450.0)
    expected = predict_case(replace(CASE, requests=50, mean_output_tokens=450.0)).value
    assert float(predict_fields(fields)["value"]) == pytest.approx(expected, rel=1e-3)
    ((value, _, _, error),) = predict_table(list(fields), [list(fields.values())])
    assert not error and float(value) == pytest.approx(expected, rel=1e-3)  # the --cases path


@pytest.mark.unit
def test_a_batch_row_with_zero_requests_is_refused() -> None:
    fields = {"gpu": "a40", "model": "qwen2.5-7b", "metric": "serving_output_tok_s"}
    with pytest.raises(InvalidRequestError, match="requests must be at least 1"):
        case_from_fields({**fields, "requests": "0"})
