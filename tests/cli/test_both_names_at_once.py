"""fit and predict with an unknown GPU and an unknown model answer both problems at once, each
with its close matches (before: the first one only, then the other on the next try); one
problem alone keeps its own kind (an unknown name)."""

from __future__ import annotations

import pytest

from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.app.predict import (
    PredictDiffusionRequest,
    PredictLlmRequest,
    predict_diffusion_document,
    predict_llm_document,
)
from gpuatlas.errors import InvalidRequestError, UnknownNameError

pytestmark = pytest.mark.unit


def _problems(call: object) -> list[str]:
    with pytest.raises(InvalidRequestError) as raised:
        call()  # type: ignore[operator]
    return raised.value.problems


def test_fit_names_the_gpu_and_the_model() -> None:
    request = FitRequest.model_validate({"system": "M4 Maxx", "model": "gemma3:27"})
    gpu, model = _problems(lambda: fit_answer(request))
    assert gpu.startswith("unknown GPU 'M4 Maxx'; close matches: apple-m4-max-40c")
    assert model.startswith("unknown model 'gemma3:27'; close matches: gemma-3-27b")


def test_predict_llm_and_diffusion_name_both() -> None:
    llm = PredictLlmRequest.model_validate({"system": "4090x", "model": "qwen3:31b"})
    problems = _problems(lambda: predict_llm_document(llm))
    assert [p.split(";")[0] for p in problems] == [
        "unknown GPU '4090x'",
        "unknown model 'qwen3:31b'",
    ]
    image = PredictDiffusionRequest.model_validate({"system": "4090x", "model": "fluxx"})
    problems = _problems(lambda: predict_diffusion_document(image))
    assert "close matches: rtx-4090" in problems[0] and "close matches: flux.1-dev" in problems[1]


def test_one_unknown_name_is_still_an_unknown_name() -> None:
    with pytest.raises(UnknownNameError):
        fit_answer(FitRequest.model_validate({"system": "4090x", "model": "gemma3:27b"}))
    with pytest.raises(UnknownNameError):
        fit_answer(FitRequest.model_validate({"system": "rtx-4090", "model": "gemma3:27"}))
