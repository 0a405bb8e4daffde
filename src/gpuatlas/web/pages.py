"""HTML pages and their .json twins. Handlers parse, call views or the answer layer
(``gpuatlas.app``), render: no domain logic."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from gpuatlas.app.compare import ComparisonOptions
from gpuatlas.app.documents import schema_name
from gpuatlas.app.errors import error_document, problem_document
from gpuatlas.app.prices import PricesRequest, prices_document
from gpuatlas.app.requests import parse_request
from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.errors import GpuAtlasError, InvalidRequestError, UnknownNameError
from gpuatlas.report.svg_charts import Bar, bar_chart, line_chart
from gpuatlas.web import compare_page, planner, views
from gpuatlas.web.answers import query_values
from gpuatlas.web.api_docs import (
    document_response,
    html_errors,
    json_errors,
    request_parameters,
)
from gpuatlas.web.rendering import render
from gpuatlas.web.state import AppState

router = APIRouter()


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.app_state
    return state


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data)


def _gpu_choices() -> list[dict[str, str]]:
    return [{"id": gpu.id, "name": gpu.name} for gpu in all_gpus()]


@router.get(
    "/index.json",
    tags=["pages"],
    summary="Home page data: GPUs and Atlas Scores",
    responses=document_response(schema_name("home")),
)
def home_json(request: Request) -> JSONResponse:
    return _json(views.home_view(_state(request)))


@router.get("/", response_class=HTMLResponse, tags=["pages"], summary="Home page")
def home(request: Request) -> Response:
    data = views.home_view(_state(request))
    return render(
        request,
        "home.html",
        data,
        json_url="/index.json",
        chart=_score_chart(data["top_scores"], "Top Atlas Scores (RTX 3090 = 100)"),
    )


def _score_chart(rows: list[dict[str, Any]], title: str) -> Any:
    bars = [Bar(row["name"], row["value"], row["low"], row["high"]) for row in rows]
    return bar_chart(bars, "", title)


@router.get(
    "/gpu/{gpu}.json",
    tags=["pages"],
    summary="One GPU: specs, prices, results",
    responses=document_response(schema_name("gpu-page")) | json_errors(404),
)
def gpu_json(request: Request, gpu: str) -> JSONResponse:
    return _json(views.gpu_view(_state(request), gpu))


@router.get(
    "/gpu/{gpu}",
    response_class=HTMLResponse,
    tags=["pages"],
    summary="One GPU",
    responses=html_errors(404),
)
def gpu_page(request: Request, gpu: str) -> Response:
    data = views.gpu_view(_state(request), gpu)
    return render(
        request,
        "gpu.html",
        data,
        json_url=f"/gpu/{quote(data['gpu']['id'])}.json",
        price_chart=_price_chart(data["price_history"], "Price history, $/GPU-hour"),
        gpu_choices=_gpu_choices(),
    )


def _price_chart(history: list[dict[str, Any]], title: str) -> Any:
    series: dict[str, list[tuple[str, float]]] = {}
    for snapshot in history:
        label = f"{snapshot['provider']} {snapshot['tier']}"
        series.setdefault(label, []).append(
            (snapshot["observed_date"], snapshot["usd_per_gpu_hour"])
        )
    return line_chart(dict(list(series.items())[:8]), "$/GPU-h", title)


@router.get(
    "/compare.json",
    tags=["pages"],
    summary="What can be compared, and how",
    responses=document_response(schema_name("compare-options")),
)
def compare_pick_json() -> JSONResponse:
    return _json(
        {
            "schema_version": schema_name("compare-options"),
            "gpus": [g.id for g in all_gpus()],
            "systems": "N x GPU id, e.g. '4x rtx-4090'",
            "document": "/compare/{a}/{b}.json",
            "page": "/compare/{a}/{b}",
            "options": list(compare_page.REPORT_OPTIONS),
        }
    )


@router.get(
    "/compare",
    response_class=HTMLResponse,
    tags=["pages"],
    summary="Pick two GPUs or systems to compare",
    responses={303: {"description": "With a and b: redirect to /compare/{a}/{b}"}},
)
def compare_pick(request: Request, a: str | None = None, b: str | None = None) -> Response:
    if a and b:
        return RedirectResponse(f"/compare/{_path_name(a)}/{_path_name(b)}", 303)
    return render(
        request,
        "compare_pick.html",
        {"gpus": [g.id for g in all_gpus()]},
        json_url="/compare.json",
        gpu_choices=_gpu_choices(),
    )


def _path_name(name: str) -> str:
    """A typed name as one path segment: a '/' ('a100/80gb') read as a space, which the
    catalog resolves, not as a second segment that no route matches."""
    return quote(name.strip().replace("/", " "))


def _report_options(request: Request) -> dict[str, Any]:
    """The comparison's options from the query (the answer layer's request: defaults applied,
    every problem at once); a parameter that is no option (a misspelt 'contextt') is one of
    those problems, with its close matches, never silently dropped. The pick form's a and b
    may ride along."""
    query = {key: value for key, value in _query(request).items() if key not in PICK_PARAMETERS}
    return parse_request(ComparisonOptions, query).model_dump()


PICK_PARAMETERS = ("a", "b")  # the compare form's own fields


COMPARISON_PARAMETERS = {"parameters": request_parameters(ComparisonOptions)}


@router.get(
    "/compare/{a}/{b}.json",
    tags=["pages"],
    responses=document_response(schema_name("comparison")) | json_errors(404, 422),
    openapi_extra=COMPARISON_PARAMETERS,
    summary="The Comparison document (gpuatlas.comparison/1) for A vs B, as the CLI's "
    "compare --json",
)
def compare_json(request: Request, a: str, b: str) -> JSONResponse:
    document = compare_page.build(_state(request), a, b, _report_options(request))
    return _json(compare_page.to_json(document))


@router.get(
    "/compare/{a}/{b}/report.html",
    response_class=HTMLResponse,
    tags=["pages"],
    responses=html_errors(404, 422),
    openapi_extra=COMPARISON_PARAMETERS,
    summary="The report renderer's self-contained HTML for A vs B",
)
def compare_report(request: Request, a: str, b: str) -> Response:
    document = compare_page.build(_state(request), a, b, _report_options(request))
    return HTMLResponse(
        compare_page.report_html(document),
        headers={"Content-Security-Policy": compare_page.REPORT_CSP},
    )


@router.get(
    "/compare/{a}/{b}",
    response_class=HTMLResponse,
    tags=["pages"],
    responses=html_errors(404, 422),
    openapi_extra=COMPARISON_PARAMETERS,
    summary="The comparison report for A vs B",
)
def compare(request: Request, a: str, b: str) -> Response:
    options = _report_options(request)
    document = compare_page.build(_state(request), a, b, options)
    query = ("?" + str(request.query_params)) if request.query_params else ""
    return render(
        request,
        "compare.html",
        {
            "doc": document,
            "options": options,
            "gpus": [g.id for g in all_gpus()],
            "report_url": f"/compare/{quote(a)}/{quote(b)}/report.html{query}",
        },
        json_url=f"/compare/{quote(a)}/{quote(b)}.json{query}",
        title=f"{document.a.label} vs {document.b.label}",
    )


@router.get(
    "/leaderboard.json",
    tags=["pages"],
    summary="Atlas Scores with intervals (gpuatlas.leaderboard/1, as the CLI's --json)",
    responses=document_response(schema_name("leaderboard")),
)
def leaderboard_json(request: Request) -> JSONResponse:
    return _json(views.leaderboard(_state(request)))


@router.get("/leaderboard", response_class=HTMLResponse, tags=["pages"], summary="Leaderboard")
def leaderboard(request: Request) -> Response:
    rows = views.leaderboard(_state(request))["rows"]
    ranked = [row for row in rows if row.get("ranked", True)]
    return render(
        request,
        "leaderboard.html",
        {"rows": rows},
        json_url="/leaderboard.json",
        chart=_score_chart(
            ranked[:25], "Atlas Score (RTX 3090 = 100), 95% interval; ranked systems"
        ),
    )


@router.get(
    "/plan",
    tags=["planner"],
    summary="Planner (redirects to the fit form)",
    response_class=RedirectResponse,
    status_code=303,
    responses={303: {"description": "Redirect to /plan/fit"}},
)
def plan_index() -> RedirectResponse:
    return RedirectResponse("/plan/fit", 303)


_query = query_values


def _planner_routes(kind: str, summary: str, schema: str) -> None:
    """The .json route (the answer document) and the HTML form of one planner."""

    @router.get(
        f"/plan/{kind}.json",
        tags=["planner"],
        responses=document_response(schema) | json_errors(400, 404, 422),
        summary=f"{summary} ({schema}, the same document as the CLI's --json)",
        openapi_extra={"parameters": request_parameters(planner.PLANNERS[kind].request)},
        name=f"planner_{kind}_json",
    )
    def planner_json(request: Request) -> JSONResponse:
        return _json(planner.answer(kind, _query(request)))

    _form_page(kind, summary, "planner")


def _form_page(kind: str, summary: str, tag: str) -> None:
    """The HTML form of a planner or of the cost page, and its answer (its .json twin is the
    answer route at the same path + .json)."""
    form = planner.FORMS[kind]

    @router.get(
        form.path,
        response_class=HTMLResponse,
        tags=[tag],
        responses=html_errors(400, 404, 422),
        summary=f"{summary}: form and answer",
        name=f"planner_{kind}_page",
        openapi_extra={"parameters": _optional(request_parameters(form.request))},
    )
    def planner_page(request: Request) -> Response:
        status = 200
        try:
            data = planner.page_data(kind, _query(request))
        except GpuAtlasError as error:  # the form again, as typed, with every problem beside it
            problems = error_document(error)["problems"]
            data = planner.form_with_problems(kind, _query(request), problems)
            status = _problem_status(error)
        query = str(request.query_params)
        json_url = f"{form.path}.json?{query}" if query else planner.example_url(kind)
        return render(
            request,
            "planner.html",
            data,
            json_url=json_url,
            status_code=status,
            gpu_choices=_gpu_choices(),
        )


def _problem_status(error: GpuAtlasError) -> int:
    """The status the error pages give it: an unknown name 404, a bad request 422, else 400."""
    if isinstance(error, UnknownNameError):
        return 404
    return 422 if isinstance(error, InvalidRequestError) else 400


def _optional(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form page answers without parameters (it shows the empty form)."""
    return [{**parameter, "required": False} for parameter in parameters]


_planner_routes("fit", "Will a model fit: memory per GPU and per format", "gpuatlas.fit/1")
_planner_routes("predict", "LLM speed of one batch: TTFT, TPOT, tokens/s", "gpuatlas.predict-llm/1")
_planner_routes(
    "plan", "The cheapest setup meeting p95 latency targets at a traffic", schema_name("plan")
)
# Its .json twin is the answer route /cost.json (gpuatlas.web.answers).
_form_page("cost", "Renting cost per offer and the cost of work, ranked", "pages")


@router.get(
    "/prices.json",
    tags=["pages"],
    responses=document_response(schema_name("prices")) | json_errors(404, 422),
    summary="Cloud prices per GPU-hour (gpuatlas.prices/1, as the CLI's --json)",
    openapi_extra={"parameters": request_parameters(PricesRequest)},
)
def prices_json(request: Request) -> JSONResponse:
    return _json(prices_document(parse_request(PricesRequest, _query(request))))


@router.get(
    "/prices",
    response_class=HTMLResponse,
    tags=["pages"],
    summary="Cloud prices",
    responses=html_errors(404, 422),
    openapi_extra={"parameters": request_parameters(PricesRequest)},
)
def prices(request: Request) -> Response:
    document = prices_document(parse_request(PricesRequest, _query(request)))
    gpu_id = document["gpu_id"]
    charts = [
        _price_chart(history, f"{views.gpu_label(history_gpu)}: $/GPU-hour over time")
        for history_gpu, history in views.price_history_by_gpu(gpu_id).items()
        if len({h["observed_date"] for h in history}) > 1
    ]
    query = str(request.query_params)
    return render(
        request,
        "prices.html",
        document,
        json_url="/prices.json" + (f"?{query}" if query else ""),
        charts=charts,
        gpu=gpu_id,
        note=views.PRICE_NOTE,
        gpu_choices=_gpu_choices(),
    )


RESULT_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The stored gpuatlas.result/1 document",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/BenchResultDocument"}}
        },
    }
}


@router.get(
    "/results/{result_id}.json",
    tags=["pages"],
    summary="One stored result",
    responses=RESULT_DOCUMENT | json_errors(404),
)
def result_json(request: Request, result_id: str) -> JSONResponse:
    document = views.result_view(_state(request), result_id)
    if document is None:
        problem = f"no stored result with id {result_id!r}"
        return JSONResponse(problem_document([problem]), status_code=404)
    return _json(document)


@router.get(
    "/results/{result_id}",
    response_class=HTMLResponse,
    tags=["pages"],
    responses=html_errors(404),
    summary="One stored result with its samples",
)
def result_page(request: Request, result_id: str) -> Response:
    document = views.result_view(_state(request), result_id)
    if document is None:
        return render(
            request,
            "error.html",
            {"status": 404, "problems": [f"no stored result with id {result_id!r}"]},
            json_url=None,
            status_code=404,
        )
    return render(
        request, "result.html", {"result": document}, json_url=f"/results/{quote(result_id)}.json"
    )
