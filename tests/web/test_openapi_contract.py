"""The OpenAPI schema says what the routes return: .json answers carry their schema_version,
errors are the CLI's gpuatlas.error/1 document, HTML pages are never documented as JSON, every
route with a name in its path documents its 404, and the required parameters are exactly the
request model's required fields."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from gpuatlas.app.catalog import GpusRequest
from gpuatlas.app.compare import ComparisonOptions
from gpuatlas.app.cost import RentingCostRequest
from gpuatlas.app.fit import FitRequest, FitTrainingRequest
from gpuatlas.app.fleet import FleetPlanRequest
from gpuatlas.app.models import ModelsRequest
from gpuatlas.app.plan import ServingPlanRequest
from gpuatlas.app.predict import (
    PredictDiffusionRequest,
    PredictLlmRequest,
    PredictOcrRequest,
    PredictServingRequest,
    PredictTrainRequest,
    PredictVisionRequest,
)
from gpuatlas.app.prices import PricesRequest
from gpuatlas.app.requests import AnswerRequest
from gpuatlas.app.serving_curve import ServingCurveRequest
from gpuatlas.app.suite import BenchListRequest
from gpuatlas.app.tco import OnPremTcoRequest

PROBLEM = "#/components/schemas/Problem"
# The answer routes whose query is a request model of the answer layer.
REQUEST_MODELS: dict[str, type[AnswerRequest]] = {
    "/plan/fit.json": FitRequest,
    "/plan/predict.json": PredictLlmRequest,
    "/plan/plan.json": ServingPlanRequest,
    "/prices.json": PricesRequest,
    "/compare/{a}/{b}.json": ComparisonOptions,
    "/gpus.json": GpusRequest,
    "/models.json": ModelsRequest,
    "/bench.json": BenchListRequest,
    "/tco.json": OnPremTcoRequest,
    "/cost.json": RentingCostRequest,
    "/fleet.json": FleetPlanRequest,
    "/fit/training.json": FitTrainingRequest,
    "/predict/serving.json": PredictServingRequest,
    "/predict/serving-curve.json": ServingCurveRequest,
    "/predict/diffusion.json": PredictDiffusionRequest,
    "/predict/vision.json": PredictVisionRequest,
    "/predict/ocr.json": PredictOcrRequest,
    "/predict/train.json": PredictTrainRequest,
}


@pytest.fixture
def schema(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def _pages(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every GET operation of the pages, their .json twins and the planner (not the API)."""
    return {
        path: methods["get"]
        for path, methods in schema["paths"].items()
        if "get" in methods
        and not path.startswith("/api/")
        and path not in ("/openapi.json", "/healthz")
    }


def _media(response: dict[str, Any]) -> set[str]:
    return set(response.get("content", {}))


def test_each_json_answer_documents_its_schema_version(schema: dict[str, Any]) -> None:
    answers = {path: op for path, op in _pages(schema).items() if path.endswith(".json")}
    assert len(answers) >= 9
    for path, operation in answers.items():
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if path == "/results/{result_id}.json":  # a stored result: its own published schema
            assert ok == {"$ref": "#/components/schemas/BenchResultDocument"}
            continue
        assert ok["required"] == ["schema_version"], path
        assert ok["properties"]["schema_version"]["const"].startswith("gpuatlas."), path


def test_json_errors_are_the_error_document(schema: dict[str, Any]) -> None:
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"schema_version", "error", "problems"}
    assert problem["properties"]["schema_version"]["const"] == "gpuatlas.error/1"
    for path, operation in _pages(schema).items():
        if not path.endswith(".json"):
            continue
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                reference = response["content"]["application/json"]["schema"]["$ref"]
                assert reference == PROBLEM, (path, status)


def test_html_pages_are_never_documented_as_json(schema: dict[str, Any]) -> None:
    pages = {path: op for path, op in _pages(schema).items() if not path.endswith(".json")}
    for path, operation in pages.items():
        for status, response in operation["responses"].items():
            assert "application/json" not in _media(response), (path, status)
        if "200" in operation["responses"]:
            assert _media(operation["responses"]["200"]) == {"text/html"}, path


def test_routes_with_a_name_in_the_path_document_their_404(schema: dict[str, Any]) -> None:
    named = {path: op for path, op in _pages(schema).items() if "{" in path}
    assert len(named) >= 6
    for path, operation in named.items():
        assert "404" in operation["responses"], path


@pytest.mark.parametrize("path", sorted(REQUEST_MODELS))
def test_required_parameters_are_the_request_models_required_fields(
    schema: dict[str, Any], path: str
) -> None:
    request_model = REQUEST_MODELS[path]
    query = [p for p in _pages(schema)[path]["parameters"] if p["in"] == "query"]
    assert {p["name"] for p in query} == set(request_model.model_fields)
    required = {p["name"] for p in query if p["required"]}
    assert required == {
        name for name, field in request_model.model_fields.items() if field.is_required()
    }


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/gpu/rtx-4091.json", 404),
        ("/results/nope.json", 404),
        ("/plan/fit.json?model=llama-3.1-8b", 422),
        ("/plan/plan.json?model=llama-3.1-8b&rps=2&gpus=rtx-4091", 422),
        ("/prices.json?tier=cheap", 422),
        ("/compare/rtx-4090/rtx-4091.json", 404),
        ("/compare/rtx-4090/rtx-3090.json?pue=high", 422),
        ("/models/no-such-model.json", 404),
        ("/gpus/rtx-4091.json", 404),
        ("/systems/2x rtx-4091.json", 404),
        ("/predict/train.json?system=rtx-4090&model=llama-3.1-70b&method=full", 422),
        ("/predict/serving.json?system=rtx-4090&model=llama-3.1-8b&layout=sideways", 422),
        ("/models.json?kind=song", 422),
        ("/tco.json?gpus=rtx-4090&pue=0.5&years=nan", 422),
        ("/cost.json?workload=llm", 422),
        ("/fleet.json?models=llama-3.1-8b=2&rps=-1", 422),
    ],
)
def test_error_replies_match_the_documented_problem(
    client: TestClient, schema: dict[str, Any], url: str, status: int
) -> None:
    reply = client.get(url)
    assert reply.status_code == status
    assert reply.headers["content-type"].startswith("application/json")
    problem = schema["components"]["schemas"]["Problem"]
    jsonschema.validate(reply.json(), problem)
    assert reply.json()["problems"]
