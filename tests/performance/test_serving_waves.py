"""A serving run of a finite number of prompts at a concurrency (vLLM `bench serve
--num-prompts N --max-concurrency c`): equal requests end together, so they run in waves of c
and the last wave is smaller; the run's throughput is all its output over the waves' time."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import observe, serving_terms
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.predict import (
    finite_run_output_tok_s,
    llm_runtime,
    serving_output_tok_s,
    wave_batches,
)
from gpuatlas.performance.llm.vectorised import predict_llm_many
from gpuatlas.performance.resolve import as_model, as_system

CASE = Case(
    gpu="l4",
    gpu_count=1,
    model="qwen2.5-7b",
    weights="bf16",
    engine="vllm",
    batch=64,
    input_tokens=45,
    output_tokens=128,
    metric="serving_output_tok_s",
)


@pytest.mark.unit
def test_waves_are_the_full_batches_then_the_remainder() -> None:
    assert wave_batches(64, 100) == ((64, 1), (36, 1))
    assert wave_batches(16, 100) == ((16, 6), (4, 1))
    assert wave_batches(4, 100) == ((4, 25),)
    assert wave_batches(64, 50) == ((50, 1),)  # fewer prompts than slots: one wave of them


@pytest.mark.unit
def test_a_finite_run_is_its_output_over_the_waves_summed_time() -> None:
    runtime = llm_runtime(as_system("l4"), as_model("qwen2.5-7b"), "bf16", "vllm")
    full = serving_output_tok_s(runtime, 64, 45, 128)
    rest = serving_output_tok_s(runtime, 36, 45, 128)
    seconds = 64 * 128 / full + 36 * 128 / rest
    expected = 100 * 128 / seconds
    assert finite_run_output_tok_s(runtime, 64, 100, 45, 128) == pytest.approx(expected)
    assert rest < expected < full  # the short last wave pulls the run below the steady state
    assert predict_case(replace(CASE, requests=100)).value == pytest.approx(expected)


@pytest.mark.unit
def test_whole_waves_are_the_steady_state() -> None:
    steady = predict_case(CASE).value
    assert predict_case(replace(CASE, requests=128)).value == pytest.approx(steady)
    assert predict_case(replace(CASE, batch=4, requests=100)).value == pytest.approx(
        predict_case(replace(CASE, batch=4)).value
    )


@pytest.mark.unit
def test_the_many_case_path_runs_finite_runs_on_the_row_path() -> None:
    cases = [CASE, replace(CASE, requests=100)]
    values = predict_llm_many(cases)
    assert values[0] == pytest.approx(predict_case(CASE).value)
    assert values[1] == pytest.approx(predict_case(cases[1]).value)
    assert values[1] < values[0]


@pytest.mark.unit
def test_a_measured_finite_run_is_fitted_over_all_its_waves() -> None:
    row = next(
        r
        for r in load_measurements()
        if r.requests == 100 and r.batch == 64 and r.gpu == "l4" and r.engine == "vllm"
    )
    item = observe(row)
    assert item is not None and item.case.requests == 100
    terms = serving_terms(item)
    assert terms is not None
    assert terms.measured_s == pytest.approx(100 * row.output_tokens / row.value)
    steady = serving_terms(replace(item, case=replace(item.case, requests=None)))
    assert steady is not None
    assert steady.measured_s == pytest.approx(64 * row.output_tokens / row.value)
    assert terms.overheads == pytest.approx(100 * row.output_tokens * 1e-3)
    assert math.isfinite(terms.x_s) and terms.x_s > steady.x_s  # two waves' cycles


@pytest.mark.unit
def test_rows_with_other_request_counts_are_other_workloads() -> None:
    row = next(r for r in load_measurements() if r.requests is not None)
    assert row.workload_key != replace(row, requests=None).workload_key
