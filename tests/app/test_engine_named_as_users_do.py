"""Answers name the engine as users do, never by the internal id of the profile that modelled
it: `predict llm -e "vLLM 0.5"` showed 'vllm-pre-hybrid-kv' as the engine; `predict serving`
on an MI300X showed 'vllm-rocm'. The profile id stays under `engine_profile`, and a profile of
some releases only says which (engines.toml: vllm-pre-hybrid-kv models 0.2.7 up to 0.9.1)."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import (
    PredictLlmRequest,
    PredictServingRequest,
    predict_llm_document,
    predict_serving_document,
)

pytestmark = pytest.mark.unit


def test_an_old_vllm_release_is_vllm_with_its_release_range_said() -> None:
    request = PredictLlmRequest(system="h100-sxm", model="llama-3.1-8b", engine="vLLM 0.5")
    document = predict_llm_document(request)
    assert document["engine"] == "vllm"
    assert document["engine_profile"] == "vllm-pre-hybrid-kv"
    assert document["engine_release_note"] == (
        "vLLM 0.5: modelled with vllm's profile of releases from 0.2.7 up to (not including) 0.9.1"
    )


def test_the_current_release_has_no_release_note() -> None:
    request = PredictLlmRequest(system="h100-sxm", model="llama-3.1-8b", engine="vllm")
    document = predict_llm_document(request)
    assert document["engine"] == "vllm"
    assert "engine_release_note" not in document


def test_a_backend_profile_is_the_engine_and_its_backend() -> None:
    document = predict_serving_document(
        PredictServingRequest(system="mi300x", model="llama-3.1-8b", engine="vllm")
    )
    assert document["engine"] == "vllm (rocm)"
    assert document["engine_profile"] == "vllm-rocm"


def test_serving_curve_plan_and_cost_name_the_engine_too() -> None:
    from typer.testing import CliRunner

    from gpuatlas.app.serving_curve import ServingCurveRequest, serving_curve_document
    from gpuatlas.cli.main import app

    curve = serving_curve_document(ServingCurveRequest(system="mi300x", model="llama-3.1-8b"))
    assert (curve["engine"], curve["engine_profile"]) == ("vllm (rocm)", "vllm-rocm")
    runner = CliRunner()
    for arguments, said in (
        (["plan", "--model", "llama-3.1-8b", "--rps", "5", "--gpu", "mi300x"], "served with"),
        (["cost", "--gpu", "mi300x", "--model", "llama-3.1-8b", "--workload", "llm"], "basis:"),
    ):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert f"{said} " in text and "vllm (rocm)" in text
        assert "vllm-rocm" not in text
