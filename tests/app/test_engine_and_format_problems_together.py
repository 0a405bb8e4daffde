"""An unknown engine and an unknown weight format are answered together, each with its close
matches: `predict llm "rtx 5090" qwen3:32b --engine vlm --weights q4km` named the engine only,
and the format on the user's next try."""

from __future__ import annotations

import pytest

from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.errors import InvalidRequestError, UnknownNameError

pytestmark = pytest.mark.unit


def _predict(**values: str) -> None:
    request = PredictLlmRequest.model_validate(
        {"system": "rtx-5090", "model": "qwen3:32b", **values}
    )
    predict_llm_document(request, local_files=True)


def test_both_names_unknown_are_both_named() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        _predict(engine="vlm", weights="q4km")
    text = str(raised.value)
    assert "unknown weight format 'q4km'; close matches: q4_k_m" in text
    assert "unknown engine 'vlm'; close matches:" in text and "vllm" in text


def test_one_unknown_name_keeps_its_own_error() -> None:
    with pytest.raises(UnknownNameError, match="unknown engine 'vlm'"):
        _predict(engine="vlm", weights="q4_k_m")
    with pytest.raises(UnknownNameError, match="unknown weight format 'q4km'"):
        _predict(weights="q4km")


def test_fit_names_both_too() -> None:
    request = FitRequest.model_validate(
        {"system": "rtx-5090", "model": "qwen3:32b", "engine": "vlm", "weights": "q4_k_m, fp8x"}
    )
    with pytest.raises(InvalidRequestError) as raised:
        fit_answer(request, local_files=True)
    text = str(raised.value)
    assert "unknown weight format 'fp8x'; close matches: fp8" in text
    assert "q4_k_m'" not in text
    assert "unknown engine 'vlm'" in text


def test_a_cli_list_of_comma_separated_formats_is_split_as_the_web_form_is() -> None:
    from_cli = FitRequest.model_validate(
        {"system": "rtx-5090", "model": "qwen3:32b", "weights": ["awq, q4_k_m", "fp8"]}
    )
    from_form = FitRequest.model_validate(
        {"system": "rtx-5090", "model": "qwen3:32b", "weights": "awq, q4_k_m, fp8"}
    )
    assert from_cli.weights == from_form.weights == ["awq", "q4_k_m", "fp8"]
