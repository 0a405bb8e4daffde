"""A finite serving run whose requests replay ShareGPT conversations (vLLM `bench serve` or
SGLang `bench_serving --dataset-name sharegpt` without a fixed output length): each request
generates its conversation's own reply, so the run lasts until its longest request ends and
for much of that time only a few requests are still running."""

from __future__ import annotations

import statistics
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from gpuatlas.app.predict import PredictServingRequest, predict_serving_document
from gpuatlas.app.requests import parse_request
from gpuatlas.calibration.case_files import case_from_fields
from gpuatlas.calibration.fitting import observe, serving_terms
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.cli.main import app
from gpuatlas.economics.latency_under_load import BenchmarkLoad, benchmark_stream
from gpuatlas.errors import DataFileError, InvalidRequestError
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.predict import (
    llm_runtime,
    run_cycles,
    serving_output_tok_s,
    wave_batches,
)
from gpuatlas.performance.llm.run_lengths import (
    SHAREGPT_SIGMA,
    SHAREGPT_TOTAL_CAP_TOKENS,
    running_spans,
    sharegpt_output_lengths,
    sharegpt_run,
)
from gpuatlas.performance.llm.vectorised import predict_llm_many
from gpuatlas.performance.resolve import as_model, as_system

pytestmark = pytest.mark.unit

# Lambda's table shape: 320 ShareGPT prompts sent at once, 205 in / 199 out on average
BURST = Case(
    gpu="h100-sxm",
    gpu_count=1,
    model="llama-3.1-8b",
    weights="fp8",
    engine="vllm",
    batch=320,
    input_tokens=205,
    output_tokens=199,
    metric="serving_output_tok_s",
    requests=320,
)


def test_the_replies_keep_the_stated_mean_within_the_samplers_limit() -> None:
    lengths = sharegpt_output_lengths(199, 205, 1000)
    assert len(lengths) == 1000
    assert statistics.mean(lengths) == pytest.approx(199, abs=0.5)
    assert max(lengths) <= SHAREGPT_TOTAL_CAP_TOKENS - 205
    assert min(lengths) >= 1
    assert lengths == sharegpt_output_lengths(199, 205, 1000)  # the same every time


def test_the_replies_spread_like_a_lognormal_of_the_fitted_sigma() -> None:
    lengths = sharegpt_output_lengths(100, 20, 2000)  # the cap (2,028) far above the tail
    # a lognormal's median is exp(-sigma^2 / 2) of its mean (0.61 at sigma 0.99)
    expected = pytest.approx(2.718281828 ** (-(SHAREGPT_SIGMA**2) / 2), rel=0.02)
    assert statistics.median(lengths) / statistics.mean(lengths) == expected
    assert max(lengths) > 10 * statistics.mean(lengths)  # a long tail


def test_a_mean_the_limit_cannot_hold_is_refused_with_the_limit() -> None:
    with pytest.raises(InvalidRequestError, match="at most 48 reply tokens"):
        sharegpt_output_lengths(199, 2000, 10)


def test_equal_replies_run_as_the_waves_of_equal_requests() -> None:
    spans = running_spans([128] * 100, 64)
    assert spans == ((64, 128), (36, 128))
    assert [(batch, steps // 128) for batch, steps in spans] == list(wave_batches(64, 100))


def test_a_slot_is_refilled_as_soon_as_a_request_ends() -> None:
    # 3 and 1 start; at step 1 the third request (2 long) takes the freed slot until step 3
    assert running_spans([3, 1, 2], 2) == ((2, 3),)
    # 5 and 1 start; the next (1) runs steps 1-2, the last (1) steps 2-3, then 5 runs alone
    assert running_spans([5, 1, 1, 1], 2) == ((2, 3), (1, 2))


def test_every_generated_token_is_one_running_request_for_one_step() -> None:
    run = sharegpt_run(64, 500, 300, 250)
    assert sum(batch * steps for batch, steps in run.spans) == run.output_tokens
    assert max(batch for batch, _ in run.spans) == 64
    assert sum(steps for _, steps in run.spans) >= run.longest_tokens


def test_one_request_is_a_single_stream_of_the_mean_length() -> None:
    one = predict_case(replace(BURST, batch=1, requests=1, lengths="sharegpt")).value
    assert one == pytest.approx(predict_case(replace(BURST, batch=1, requests=None)).value)


def test_a_burst_of_sharegpt_replies_serves_far_below_equal_replies() -> None:
    equal = predict_case(BURST)
    spread = predict_case(replace(BURST, lengths="sharegpt"))
    # most of the run's steps serve a few long replies while the batch drains
    assert 0.2 < spread.value / equal.value < 0.6
    assert any("longest" in note and "320 requests" in note for note in spread.notes)


def test_the_run_is_its_tokens_over_each_spans_share_of_a_cycle() -> None:
    runtime = llm_runtime(as_system("h100-sxm"), as_model("llama-3.1-8b"), "fp8", "vllm")
    run = sharegpt_run(320, 320, 205, 199)  # today's vLLM runs all 320 at once
    seconds = sum(
        batch * steps / serving_output_tok_s(runtime, batch, 205, 199) for batch, steps in run.spans
    )
    expected = run.output_tokens / seconds
    assert predict_case(replace(BURST, lengths="sharegpt")).value == pytest.approx(expected)


def test_the_fit_costs_a_sharegpt_row_over_the_same_spans() -> None:
    row = next(
        r
        for r in load_measurements()
        if r.requests == 100 and r.batch == 64 and r.gpu == "l4" and r.engine == "vllm"
    )
    observation = observe(row)
    assert observation is not None
    case = replace(observation.case, lengths="sharegpt")
    terms = serving_terms(replace(observation, case=case))
    fixed_terms = serving_terms(observation)
    assert terms is not None and fixed_terms is not None
    cycles, tokens = run_cycles(
        int(row.batch), int(row.requests), int(row.input_tokens), int(row.output_tokens), "sharegpt"
    )
    assert terms.overheads == pytest.approx(tokens * 1e-3)
    assert terms.x_s > fixed_terms.x_s  # the drained tail adds cycles at small batches


def test_the_many_case_path_takes_sharegpt_runs_on_the_row_path() -> None:
    cases = [BURST, replace(BURST, lengths="sharegpt")]
    values = predict_llm_many(cases)
    assert values[1] == pytest.approx(predict_case(cases[1]).value)
    assert values[1] < values[0]


def test_a_case_file_row_states_lengths_and_its_conflicts() -> None:
    fields = {
        "gpu": "h100-sxm",
        "gpu_count": "1",
        "model": "llama-3.1-8b",
        "weights": "fp8",
        "engine": "vllm",
        "batch": "320",
        "input_tokens": "205",
        "output_tokens": "199",
        "metric": "serving_output_tok_s",
        "requests": "320",
        "lengths": "sharegpt",
    }
    assert case_from_fields(fields).lengths == "sharegpt"
    with pytest.raises(InvalidRequestError) as refused:
        case_from_fields({**fields, "requests": "", "mean_output_tokens": "150"})
    text = str(refused.value)
    assert "give requests" in text and "mean_output_tokens is for requests" in text
    with pytest.raises(InvalidRequestError, match="lengths must be one of fixed, sharegpt"):
        case_from_fields({**fields, "lengths": "random"})


def _served(values: dict[str, object]) -> dict[str, object]:
    request = parse_request(
        PredictServingRequest,
        {"system": "h100", "model": "llama-3.1-8b", "weights": "fp8", "engine": "vllm", **values},
    )
    return predict_serving_document(request)


def test_predict_serving_answers_a_sharegpt_run_as_the_case_does() -> None:
    shape = {"concurrency": 320, "input_tokens": 205, "output_tokens": 199, "requests": 320}
    document = _served({**shape, "lengths": "sharegpt"})
    served = document["serving_output_tok_s"]
    assert isinstance(served, dict)
    expected = predict_case(replace(BURST, lengths="sharegpt")).value
    assert served["value"] == pytest.approx(expected, rel=1e-6)


def test_predict_serving_refuses_sharegpt_without_a_finite_run() -> None:
    with pytest.raises(InvalidRequestError, match="give requests"):
        _served({"lengths": "sharegpt"})


def test_the_command_line_states_the_run_it_costed() -> None:
    result = CliRunner().invoke(
        app,
        [
            "predict",
            "serving",
            "h100",
            "llama-3.1-8b",
            "-w",
            "fp8",
            "--concurrency",
            "320",
            "--input",
            "205",
            "--output",
            "199",
            "--requests",
            "320",
            "--lengths",
            "sharegpt",
        ],
        env={"COLUMNS": "100"},
    )
    assert result.exit_code == 0, result.output
    assert "ShareGPT reply lengths" in result.output


def test_a_measured_row_states_lengths_only_with_a_finite_serving_run(tmp_path: object) -> None:
    source = next(r for r in load_measurements() if r.metric == "serving_output_tok_s")
    header = (
        "gpu,gpu_count,engine,engine_version,model,weights,kv_cache,batch,input_tokens,"
        "output_tokens,resolution,steps,metric,value,unit,source,source_date,notes,requests,lengths"
    )
    base = [
        source.gpu,
        "1",
        "vllm",
        "",
        source.model,
        source.weights,
        "",
        "32",
        "200",
        "200",
        "",
        "",
        "serving_output_tok_s",
        "1000",
        "tok/s",
        "https://example.org/run",
        "2025-01-01",
        "a note",
    ]
    rows = [
        ",".join([*base, "100", "sharegpt"]),  # fine
        ",".join([*base, "", "sharegpt"]),  # no requests
        ",".join([*base, "100", "chat"]),  # unknown word
    ]
    path = tmp_path / "runs.csv"  # type: ignore[operator]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as refused:
        load_measurements(path)
    text = str(refused.value)
    assert "line 3" in text and "give requests" in text
    assert "line 4, field lengths" in text and "sharegpt" in text
    assert "line 2" not in text


def test_the_latency_simulation_replays_the_same_replies() -> None:
    """`plan`'s simulator, replaying a published ShareGPT run, sends the replies the
    throughput estimate costs (one definition of ShareGPT's lengths)."""
    load = BenchmarkLoad(205.0, 199.0, 500, concurrency=64, lengths="sharegpt")
    stream = benchmark_stream(load)
    assert tuple(stream.output_tokens.tolist()) == sharegpt_output_lengths(199, 205, 500)


def test_replicas_say_each_runs_its_share_of_the_requests() -> None:
    document = _served(
        {
            "system": "2x rtx-4090",
            "weights": "bf16",
            "concurrency": 64,
            "input_tokens": 300,
            "output_tokens": 250,
            "requests": 200,
            "lengths": "sharegpt",
        }
    )
    served = document["serving_output_tok_s"]
    assert isinstance(served, dict)
    notes = " ".join(served["notes"])
    assert "each replica: 100 requests with ShareGPT reply lengths" in notes


def test_a_run_larger_than_the_data_set_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="at most 100,000 requests"):
        _served({"concurrency": 256, "requests": 5_000_000, "lengths": "sharegpt"})
