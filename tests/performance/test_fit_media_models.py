"""`fit` answers for LLMs; a diffusion or OCR model is refused with the command that answers
for it (its memory and CPU offload, or its pages per minute) on the same system."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.fit_answer import answer_fit

pytestmark = pytest.mark.unit


def _refusal(system: str, model: str) -> str:
    with pytest.raises(InvalidRequestError) as raised:
        answer_fit(system, resolve_model_reference(model), [])
    return str(raised.value)


def test_flux_on_two_3090s_points_to_predict_diffusion_on_that_system() -> None:
    problem = _refusal("2x rtx-3090", "flux.1-dev")
    assert "flux.1-dev is a diffusion model" in problem
    assert "gpuatlas predict diffusion '2x rtx-3090' flux.1-dev" in problem
    assert "memory and the CPU offload" in problem


def test_sdxl_names_its_catalog_id_in_the_command() -> None:
    assert "gpuatlas predict diffusion 'rtx-4090' sdxl-base-1.0" in _refusal("rtx-4090", "sdxl")
