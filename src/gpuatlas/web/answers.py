"""The answers that have no page of their own, as .json routes over the answer layer: the GPU
catalog, the model library, the weight formats, the benchmark suite, renting costs, on-prem TCO
and fleets. Each returns the document the CLI prints with --json for the same request (extra
price files are a CLI-only input: the web never reads files)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gpuatlas.app.catalog import GpusRequest, gpus_document
from gpuatlas.app.cost import RentingCostRequest, cost_document
from gpuatlas.app.documents import schema_name
from gpuatlas.app.fleet import FleetPlanRequest, fleet_document
from gpuatlas.app.models import ModelsRequest, formats_document, model_document, models_document
from gpuatlas.app.requests import parse_request
from gpuatlas.app.suite import BenchListRequest, bench_list_document
from gpuatlas.app.tco import OnPremTcoRequest, tco_document
from gpuatlas.web.api_docs import document_response, json_errors, request_parameters

router = APIRouter(tags=["answers"])


def query_values(request: Request) -> dict[str, Any]:
    """Query parameters; a repeated one (weights=fp16&weights=awq) becomes a list."""
    return {key: values[0] if len(values) == 1 else values
            for key in request.query_params
            if (values := request.query_params.getlist(key))}


@router.get("/gpus.json", summary="The GPU catalog (gpuatlas.gpus/1, as `gpuatlas gpus --json`)",
            responses=document_response(schema_name("gpus")) | json_errors(422),
            openapi_extra={"parameters": request_parameters(GpusRequest)})
def gpus_json(request: Request) -> JSONResponse:
    return JSONResponse(gpus_document(parse_request(GpusRequest, query_values(request))))


@router.get("/models.json",
            summary="The model library (gpuatlas.models/1, as `gpuatlas models --json`)",
            responses=document_response(schema_name("models")) | json_errors(422),
            openapi_extra={"parameters": request_parameters(ModelsRequest)})
def models_json(request: Request) -> JSONResponse:
    return JSONResponse(models_document(parse_request(ModelsRequest, query_values(request))))


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


@router.get("/bench.json",
            summary="The benchmark suite (gpuatlas.bench-list/1, as `gpuatlas bench list "
                    "--json`)",
            responses=document_response(schema_name("bench-list")) | json_errors(422),
            openapi_extra={"parameters": request_parameters(BenchListRequest)})
def bench_json(request: Request) -> JSONResponse:
    return JSONResponse(bench_list_document(parse_request(BenchListRequest,
                                                          query_values(request))))


@router.get("/tco.json",
            summary="On-prem TCO and the break-even against the cloud (gpuatlas.tco/1, as "
                    "`gpuatlas tco --json`)",
            responses=document_response(schema_name("tco")) | json_errors(422),
            openapi_extra={"parameters": request_parameters(OnPremTcoRequest)})
def tco_json(request: Request) -> JSONResponse:
    return JSONResponse(tco_document(parse_request(OnPremTcoRequest, query_values(request))))


@router.get("/cost.json",
            summary="Renting cost per offer and the cost of work from each system's own speed, "
                    "ranked (gpuatlas.cost/1, as `gpuatlas cost --json`)",
            responses=document_response(schema_name("cost")) | json_errors(400, 422),
            openapi_extra={"parameters": request_parameters(RentingCostRequest)})
def cost_json(request: Request) -> JSONResponse:
    return JSONResponse(cost_document(parse_request(RentingCostRequest, query_values(request))))


@router.get("/fleet.json",
            summary="Several models sharing traffic: mixed pools vs one GPU type "
                    "(gpuatlas.fleet/1, as `gpuatlas fleet --json`)",
            responses=document_response(schema_name("fleet")) | json_errors(400, 422),
            openapi_extra={"parameters": request_parameters(FleetPlanRequest)})
def fleet_json(request: Request) -> JSONResponse:
    return JSONResponse(fleet_document(parse_request(FleetPlanRequest, query_values(request))))
