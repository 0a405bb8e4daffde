"""A request whose numbers are refused also names its unknown GPU, model, format and engine,
each with its close matches: `predict serving 4090x qwen3:8bb -c 0` said only '--concurrency: …'
and the names on the next try. Catalog look-ups only: a Hub id is left to the answer."""

from __future__ import annotations

import pytest

from gpuatlas.app.fit import FitRequest
from gpuatlas.app.plan import ServingPlanRequest
from gpuatlas.app.predict import PredictDiffusionRequest, PredictLlmRequest
from gpuatlas.app.requests import parse_request
from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.engine_specs import engine_text_profile
from gpuatlas.performance.resolve import as_format

pytestmark = pytest.mark.unit


def _problems(kind: type, values: dict[str, str]) -> list[str]:
    with pytest.raises(InvalidRequestError) as raised:
        parse_request(kind, values)
    return list(raised.value.problems)


def _error(check: object) -> str:
    try:
        check()  # type: ignore[operator]
    except GpuAtlasError as error:
        return str(error)
    raise AssertionError("expected an unknown name")


def test_a_bad_number_comes_with_every_unknown_name_and_its_close_matches() -> None:
    values = {"system": "4090x", "model": "qwen3:8bb", "batch": "0", "weights": "q4km"}
    problems = _problems(PredictLlmRequest, {**values, "engine": "vlm"})
    assert problems[0].startswith("batch: ")  # the number first, as before
    assert problems[1:] == [
        _error(lambda: resolve_system("4090x")),
        _error(lambda: resolve_model_reference("qwen3:8bb", allow_hub=False)),
        _error(lambda: as_format("q4km")),
        _error(lambda: engine_text_profile("vlm")),
    ]
    assert "close matches: rtx-4090" in problems[1] and "qwen3-8b" in problems[2]


def test_fit_and_plan_lists_are_checked_name_by_name() -> None:
    fit = _problems(
        FitRequest,
        {"system": "rtx-5090", "model": "qwen3:32b", "weights": "q4_k_m, fp8x", "concurrency": "0"},
    )
    assert fit[1:] == [_error(lambda: as_format("fp8x"))]  # q4_k_m is known: not listed
    plan = _problems(
        ServingPlanRequest,
        {"model": "llama-3.1-8b", "rps": "1", "gpus": "rtx-4090,h100x", "top": "500"},
    )
    assert plan[1:] == [_error(lambda: resolve_system("h100x"))]


def test_known_names_hub_ids_and_other_catalogs_add_nothing() -> None:
    only_number = _problems(
        FitRequest, {"system": "rtx-4090", "model": "qwen3:8b", "concurrency": "0"}
    )
    assert len(only_number) == 1
    hub = _problems(
        FitRequest, {"system": "rtx-4090", "model": "org/not-fetched", "concurrency": "0"}
    )
    assert len(hub) == 1  # a Hub id may exist online: the answer resolves it, not the parser
    image = _problems(
        PredictDiffusionRequest, {"system": "rtx-4090", "model": "sdxl", "batch": "0"}
    )
    assert len(image) == 1  # diffusion models resolve through their own catalog
