"""The answers that have no page of their own, as .json routes over the answer layer: the GPU
catalog, the model library, the weight formats, the benchmark suite, renting costs, on-prem TCO
and fleets. Each returns the document the CLI prints with --json for the same request (extra
price files are a CLI-only input: the web never reads files)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gpuatlas.app.catalog import GpusRequest, gpus_document
from gpuatlas.app.cost import RentingCostRequest, cost_document
from gpuatlas.app.documents import schema_name
from gpuatlas.app.fleet import FleetPlanRequest, fleet_document
from gpuatlas.app.models import ModelsRequest, formats_document, model_document, models_document
from gpuatlas.app.requests import AnswerRequest, parse_request
from gpuatlas.app.suite import BenchListRequest, bench_list_document
from gpuatlas.app.tco import OnPremTcoRequest, tco_document
from gpuatlas.web.api_docs import document_response, json_errors, request_parameters

router = APIRouter(tags=["answers"])


def query_values(request: Request) -> dict[str, Any]:
    """Query parameters; a repeated one (weights=fp16&weights=awq) becomes a list."""
    return {key: values[0] if len(values) == 1 else values
            for key in request.query_params
            if (values := request.query_params.getlist(key))}


def _query_answer(path: str, answer: str, summary: str, request_model: type[AnswerRequest],
                  builder: Callable[[Any], dict[str, Any]], errors: tuple[int, ...] = (422,)
                  ) -> None:
    """A .json route whose query is the answer's request model and whose body its document."""

    @router.get(path, name=f"{answer}_json", summary=summary,
                responses=document_response(schema_name(answer)) | json_errors(*errors),
                openapi_extra={"parameters": request_parameters(request_model)})
    def route(request: Request) -> JSONResponse:
        return JSONResponse(builder(parse_request(request_model, query_values(request))))


_query_answer("/gpus.json", "gpus", "The GPU catalog (gpuatlas.gpus/1, as `gpuatlas gpus --json`)",
              GpusRequest, gpus_document)
_query_answer("/models.json", "models",
              "The model library (gpuatlas.models/1, as `gpuatlas models --json`)",
              ModelsRequest, models_document)
_query_answer("/bench.json", "bench-list",
              "The benchmark suite (gpuatlas.bench-list/1, as `gpuatlas bench list --json`)",
              BenchListRequest, bench_list_document)
_query_answer("/tco.json", "tco", "On-prem TCO and the break-even against the cloud "
              "(gpuatlas.tco/1, as `gpuatlas tco --json`)", OnPremTcoRequest, tco_document)
_query_answer("/cost.json", "cost", "Renting cost per offer and the cost of work from each "
              "system's own speed, ranked (gpuatlas.cost/1, as `gpuatlas cost --json`)",
              RentingCostRequest, cost_document, (400, 422))
_query_answer("/fleet.json", "fleet", "Several models sharing traffic: mixed pools vs one GPU "
              "type (gpuatlas.fleet/1, as `gpuatlas fleet --json`)", FleetPlanRequest,
              fleet_document, (400, 422))


@router.get("/models/{name}.json",
            summary="One model of the library (gpuatlas.model/1, as `gpuatlas model show "
                    "NAME --json`)",
            responses=document_response(schema_name("model")) | json_errors(404, 422))
def model_json(name: str) -> JSONResponse:
    return JSONResponse(model_document(name))


@router.get("/formats.json",
            summary="Weight formats and KV-cache precisions (gpuatlas.formats/1, as "
                    "`gpuatlas formats --json`)",
            responses=document_response(schema_name("formats")))
def formats_json() -> JSONResponse:
    return JSONResponse(formats_document())
