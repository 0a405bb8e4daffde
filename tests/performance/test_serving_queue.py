"""More concurrent requests than the KV pool holds: the server runs what fits and queues the
rest (vLLM, TensorRT-LLM), so throughput is the one at the largest batch that fits."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from gpuatlas.calibration.fitting import observe, serving_terms
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.cases import Case
from gpuatlas.performance.llm.predict import llm_runtime, running_batch
from gpuatlas.performance.llm.vectorised import predict_llm_many

SYSTEM, MODEL, LENGTHS = "rtx-4090", "llama-3.1-8b", {"input_tokens": 2048, "output_tokens": 2048}


def _serving_case(batch: int, input_tokens: int, output_tokens: int) -> Case:
    return Case(
        gpu=SYSTEM,
        gpu_count=1,
        model=MODEL,
        weights="fp16",
        engine="vllm",
        metric="serving_output_tok_s",
        batch=batch,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
    )


def _fitting() -> int:
    return api.max_serving_batch(SYSTEM, MODEL, "fp16", "vllm", context_tokens=4096)


def test_requests_beyond_the_kv_pool_run_at_the_largest_batch_that_fits() -> None:
    fitting = _fitting()
    assert 4 <= fitting < 64  # 16 GB of KV room at 0.5 MB per token: ~9 sequences of 4096
    queued = api.serving_throughput(SYSTEM, MODEL, "fp16", "vllm", concurrency=128, **LENGTHS)
    at_pool = api.serving_throughput(SYSTEM, MODEL, "fp16", "vllm", concurrency=fitting, **LENGTHS)
    assert queued.value == at_pool.value
    assert any(f"runs {fitting} at once and queues the rest" in n for n in queued.notes)
    assert not at_pool.notes  # no note when everything fits
    smaller = api.serving_throughput(
        SYSTEM, MODEL, "fp16", "vllm", concurrency=fitting - 1, **LENGTHS
    )
    assert smaller.value < at_pool.value  # the cap is where the throughput stops growing


def test_the_many_case_path_caps_the_same_way() -> None:
    case = _serving_case(128, 2048, 2048)
    scalar = api.serving_throughput(SYSTEM, MODEL, "fp16", "vllm", concurrency=128, **LENGTHS)
    assert predict_llm_many([case])[0] == scalar.value


def test_a_model_with_no_room_for_one_sequence_is_still_refused() -> None:
    runtime = llm_runtime(SYSTEM, MODEL, "fp16", "vllm")
    with pytest.raises(
        InvalidRequestError,
        match="10,000,000 tokens of context do not fit.*one sequence fits up to 31,328 tokens",
    ):
        running_batch(runtime, 8, 10_000_000)
    case = _serving_case(8, 10_000_000, 16)
    assert math.isnan(predict_llm_many([case])[0])


def test_a_static_decode_batch_that_does_not_fit_is_still_refused() -> None:
    with pytest.raises(InvalidRequestError, match="at most"):
        api.predict_llm(SYSTEM, MODEL, "fp16", "vllm", batch=128, **LENGTHS)


def test_calibration_reads_a_queued_row_at_the_running_batch() -> None:
    packaged = next(r for r in load_measurements() if r.metric == "serving_output_tok_s")
    row = replace(
        packaged,
        gpu=SYSTEM,
        gpu_count=1,
        engine="vllm",
        engine_version="0.8.5",
        model=MODEL,
        weights="fp16",
        kv_cache="fp16",
        batch=128,
        input_tokens=2048,
        output_tokens=2048,
        value=300.0,
        variant=None,
        backend=None,
    )
    observation = observe(row)
    assert observation is not None
    terms = serving_terms(observation)
    assert terms is not None
    # the measured cycle is the running sequences' output over the rate
    assert terms.measured_s == pytest.approx(_fitting() * 2048 / 300.0)


def test_the_answer_says_the_requests_are_queued() -> None:
    result = CliRunner().invoke(
        app,
        [
            "predict",
            "serving",
            SYSTEM,
            MODEL,
            "-w",
            "fp16",
            "-e",
            "vllm",
            "-c",
            "128",
            "--input",
            "2048",
            "--output",
            "2048",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    notes = json.loads(result.output)["serving_output_tok_s"]["notes"]
    fitting = _fitting()
    assert any(f"runs {fitting} at once" in n and "queues the rest" in n for n in notes)
