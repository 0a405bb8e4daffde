"""The answers that have no page of their own, as .json routes over the answer layer: the GPU
catalog, the model library, the weight formats, the benchmark suite, renting costs, on-prem TCO
and fleets. Each returns the document the CLI prints with --json for the same request (extra
price files are a CLI-only input: the web never reads files)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gpuatlas.app import predict
from gpuatlas.app.catalog import GpusRequest, gpu_document, gpus_document, system_document
from gpuatlas.app.cost import RentingCostRequest, cost_document
from gpuatlas.app.documents import schema_name
from gpuatlas.app.fit import FitTrainingRequest, fit_training_document
from gpuatlas.app.fleet import FleetPlanRequest, fleet_document
from gpuatlas.app.models import ModelsRequest, formats_document, model_document, models_document
from gpuatlas.app.requests import AnswerRequest, parse_request
from gpuatlas.app.serving_curve import ServingCurveRequest, serving_curve_document
from gpuatlas.app.suite import BenchListRequest, bench_list_document
from gpuatlas.app.tco import OnPremTcoRequest, tco_document
from gpuatlas.web.api_docs import document_response, json_errors, request_parameters

router = APIRouter(tags=["answers"])


def query_values(request: Request) -> dict[str, Any]:
    """Query parameters; a repeated one (weights=fp16&weights=awq) becomes a list."""
    return {
        key: values[0] if len(values) == 1 else values
        for key in request.query_params
        if (values := request.query_params.getlist(key))
    }


def _query_answer(
    path: str,
    answer: str,
    summary: str,
    request_model: type[AnswerRequest],
    builder: Callable[[Any], dict[str, Any]],
    errors: tuple[int, ...] = (422,),
) -> None:
    """A .json route whose query is the answer's request model and whose body its document."""

    @router.get(
        path,
        name=f"{answer}_json",
        summary=summary,
        responses=document_response(schema_name(answer)) | json_errors(*errors),
        openapi_extra={"parameters": request_parameters(request_model)},
    )
    def route(request: Request) -> JSONResponse:
        return JSONResponse(builder(parse_request(request_model, query_values(request))))


_query_answer(
    "/gpus.json",
    "gpus",
    "The GPU catalog (gpuatlas.gpus/1, as `gpuatlas gpus --json`)",
    GpusRequest,
    gpus_document,
)
_query_answer(
    "/models.json",
    "models",
    "The model library (gpuatlas.models/1, as `gpuatlas models --json`)",
    ModelsRequest,
    models_document,
)
_query_answer(
    "/bench.json",
    "bench-list",
    "The benchmark suite (gpuatlas.bench-list/1, as `gpuatlas bench list --json`)",
    BenchListRequest,
    bench_list_document,
)
_query_answer(
    "/tco.json",
    "tco",
    "On-prem TCO and the break-even against the cloud (gpuatlas.tco/2, as `gpuatlas tco --json`)",
    OnPremTcoRequest,
    tco_document,
)
_query_answer(
    "/cost.json",
    "cost",
    "Renting cost per offer and the cost of work from each "
    "system's own speed, ranked (gpuatlas.cost/2, as `gpuatlas cost --json`)",
    RentingCostRequest,
    cost_document,
    (400, 422),
)
_query_answer(
    "/fit/training.json",
    "fit-training",
    "Training memory per GPU: full, LoRA or "
    "QLoRA (gpuatlas.fit-training/1, as `gpuatlas fit S M --training T --json`)",
    FitTrainingRequest,
    fit_training_document,
    (400, 404, 422),
)
_query_answer(
    "/predict/serving.json",
    "predict-serving",
    "Serving throughput and layout of a system (as `gpuatlas predict serving --json`)",
    predict.PredictServingRequest,
    predict.predict_serving_document,
    (400, 404, 422),
)
_query_answer(
    "/predict/serving-curve.json",
    "serving-curve",
    "Throughput per GPU against tok/s per user (as `gpuatlas predict serving-curve --json`)",
    ServingCurveRequest,
    serving_curve_document,
    (400, 404, 422),
)
_query_answer(
    "/predict/diffusion.json",
    "predict-diffusion",
    "Image generation speed and memory (as `gpuatlas predict diffusion --json`)",
    predict.PredictDiffusionRequest,
    predict.predict_diffusion_document,
    (400, 404, 422),
)
_query_answer(
    "/predict/vision.json",
    "predict-vision",
    "Images per minute of a vision-language model (as `gpuatlas predict vision --json`)",
    predict.PredictVisionRequest,
    predict.predict_vision_document,
    (400, 404, 422),
)
_query_answer(
    "/predict/ocr.json",
    "predict-ocr",
    "Pages per minute of an OCR model (as `gpuatlas predict ocr --json`)",
    predict.PredictOcrRequest,
    predict.predict_ocr_document,
    (400, 404, 422),
)
_query_answer(
    "/predict/train.json",
    "predict-train",
    "Training speed for a token budget (as `gpuatlas predict train --json`)",
    predict.PredictTrainRequest,
    predict.predict_train_document,
    (400, 404, 422),
)
_query_answer(
    "/fleet.json",
    "fleet",
    "Several models sharing traffic: mixed pools vs one GPU "
    "type (gpuatlas.fleet/2, as `gpuatlas fleet --json`)",
    FleetPlanRequest,
    fleet_document,
    (400, 422),
)


@router.get(
    "/gpus/{name}.json",
    summary="One GPU's datasheet facts (gpuatlas.gpu/1, as `gpuatlas gpu show NAME --json`)",
    responses=document_response(schema_name("gpu")) | json_errors(404),
)
def gpu_facts_json(name: str) -> JSONResponse:
    return JSONResponse(gpu_document(name))


@router.get(
    "/systems/{spec}.json",
    summary="A multi-GPU system and its links (gpuatlas.system/1, as `gpuatlas system "
    "show SPEC --json`)",
    responses=document_response(schema_name("system")) | json_errors(404, 422),
)
def system_json(spec: str) -> JSONResponse:
    return JSONResponse(system_document(spec))


@router.get(
    "/models/{name}.json",
    summary="One model of the library (gpuatlas.model/1, as `gpuatlas model show NAME --json`)",
    responses=document_response(schema_name("model")) | json_errors(404, 422),
)
def model_json(name: str) -> JSONResponse:
    return JSONResponse(model_document(name))


@router.get(
    "/formats.json",
    summary="Weight formats and KV-cache precisions (gpuatlas.formats/1, as "
    "`gpuatlas formats --json`)",
    responses=document_response(schema_name("formats")),
)
def formats_json() -> JSONResponse:
    return JSONResponse(formats_document())
