"""Bad input gets a clear error; every prediction is a range around its value."""

from __future__ import annotations

import math

import pytest

from gpuatlas.errors import InvalidRequestError, UnknownNameError
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import shipped_calibration
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.predictions import Estimate


def test_unknown_model_lists_close_matches() -> None:
    with pytest.raises(UnknownNameError) as error:
        api.predict_llm(
            "rtx-4090", "llama-3-8bb", "fp16", "vllm", batch=1, input_tokens=8, output_tokens=8
        )
    assert "llama-3-8b" in str(error.value)


def test_unknown_engine_lists_engines() -> None:
    with pytest.raises(UnknownNameError, match="engine"):
        resolve_engine("vllmm")


def test_engine_names_people_write_resolve() -> None:
    assert resolve_engine("TensorRT-LLM").id == "tensorrt-llm"
    assert resolve_engine("vLLM").id == "vllm"
    assert resolve_engine("llama.cpp").id == "llama.cpp"


def test_format_the_engine_cannot_load_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="does not load q4_k_m"):
        api.predict_llm(
            "h100-sxm",
            "llama-3-8b",
            "Q4_K_M",
            "tensorrt-llm",
            batch=1,
            input_tokens=8,
            output_tokens=8,
        )


def test_impossible_batch_is_refused_with_the_limit() -> None:
    with pytest.raises(InvalidRequestError, match="at most"):
        api.predict_llm(
            "rtx-4090",
            "llama-3-8b",
            "fp16",
            "vllm",
            batch=500,
            input_tokens=8000,
            output_tokens=100,
        )
    with pytest.raises(InvalidRequestError, match="at least 1"):
        api.predict_llm(
            "rtx-4090", "llama-3-8b", "fp16", "vllm", batch=0, input_tokens=8, output_tokens=8
        )


def test_model_that_does_not_fit_at_all_is_refused() -> None:
    with pytest.raises(
        InvalidRequestError, match="16 tokens of context do not fit.*no room for one"
    ):
        api.predict_llm(
            "rtx-4090", "llama-3-70b", "fp16", "vllm", batch=1, input_tokens=8, output_tokens=8
        )


def test_wrong_model_kind_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="not diffusion"):
        api.predict_diffusion("rtx-4090", "llama-3-8b")


def _estimates(document: object) -> list[Estimate]:
    return [v for v in vars(document).values() if isinstance(v, Estimate)]


def test_every_prediction_is_a_range_containing_its_value() -> None:
    found = _estimates(
        api.predict_llm(
            "a100-80gb-sxm", "qwen3-8b", "bf16", "vllm", batch=4, input_tokens=256, output_tokens=64
        )
    )
    found += _estimates(api.predict_diffusion("h100-sxm", "flux.1-dev"))
    found += _estimates(
        api.predict_training(
            "8x h100-sxm", "llama-3-8b", tokens=1e10, sharding="fsdp", recompute=True
        )
    )
    found.append(
        api.serving_throughput(
            "l40s",
            "llama-3-8b",
            "fp8",
            "vllm",
            concurrency="max",
            input_tokens=256,
            output_tokens=256,
        )
    )
    assert len(found) > 10
    for estimate in found:
        assert 0 < estimate.low < estimate.value < estimate.high
        assert estimate.calibration_version == shipped_calibration().version
        assert set(estimate.to_json()) >= {"value", "low", "high", "unit", "model"}


def test_extrapolated_cases_get_wider_bands() -> None:
    measured = api.predict_llm(
        "rtx-4090", "llama-3-8b", "q4_k_m", "llama.cpp", batch=1, input_tokens=16, output_tokens=512
    ).decode_tok_s
    unmeasured = api.predict_llm(
        "gaudi3", "llama-3-8b", "bf16", "tgi", batch=1, input_tokens=16, output_tokens=512
    ).decode_tok_s
    assert not measured.extrapolated and unmeasured.extrapolated

    def width(e: Estimate) -> float:
        return math.log(e.high / e.low)

    assert width(unmeasured) > width(measured)
