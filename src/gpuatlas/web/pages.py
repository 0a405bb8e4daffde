"""HTML pages and their .json twins. Handlers parse, call views, render: no domain logic."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.errors import InvalidRequestError
from gpuatlas.web import compare_page, planner, views
from gpuatlas.web.charts import Bar, bar_chart, line_chart
from gpuatlas.web.rendering import render
from gpuatlas.web.state import AppState

router = APIRouter()


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.app_state
    return state


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data)


@router.get("/index.json", tags=["pages"], summary="Home page data: GPUs and Atlas Scores")
def home_json(request: Request) -> JSONResponse:
    return _json(views.home_view(_state(request)))


@router.get("/", response_class=HTMLResponse, tags=["pages"], summary="Home page")
def home(request: Request) -> Response:
    data = views.home_view(_state(request))
    return render(request, "home.html", data, json_url="/index.json",
                  chart=_score_chart(data["top_scores"], "Top Atlas Scores (RTX 3090 = 100)"))


def _score_chart(rows: list[dict[str, Any]], title: str) -> Any:
    bars = [Bar(row["system"], row["score"]["value"], row["score"]["low"], row["score"]["high"])
            for row in rows]
    return bar_chart(bars, "", title)


@router.get("/gpu/{gpu}.json", tags=["pages"], summary="One GPU: specs, prices, results")
def gpu_json(request: Request, gpu: str) -> JSONResponse:
    return _json(views.gpu_view(_state(request), gpu))


@router.get("/gpu/{gpu}", response_class=HTMLResponse, tags=["pages"], summary="One GPU")
def gpu_page(request: Request, gpu: str) -> Response:
    data = views.gpu_view(_state(request), gpu)
    return render(request, "gpu.html", data, json_url=f"/gpu/{quote(data['gpu']['id'])}.json",
                  price_chart=_price_chart(data["price_history"], "Price history, $/GPU-hour"))


def _price_chart(history: list[dict[str, Any]], title: str) -> Any:
    series: dict[str, list[tuple[str, float]]] = {}
    for snapshot in history:
        label = f"{snapshot['provider']} {snapshot['tier']}"
        series.setdefault(label, []).append((snapshot["observed_date"],
                                             snapshot["usd_per_gpu_hour"]))
    return line_chart(dict(list(series.items())[:8]), "$/GPU-h", title)


@router.get("/compare.json", tags=["pages"], summary="What can be compared, and how")
def compare_pick_json() -> JSONResponse:
    return _json({"gpus": [g.id for g in all_gpus()],
                  "systems": "N x GPU id, e.g. '4x rtx-4090'",
                  "document": "/compare/{a}/{b}.json", "page": "/compare/{a}/{b}",
                  "options": list(compare_page.REPORT_OPTIONS)})


@router.get("/compare", response_class=HTMLResponse, tags=["pages"],
            summary="Pick two GPUs or systems to compare")
def compare_pick(request: Request, a: str | None = None, b: str | None = None) -> Response:
    if a and b:
        return RedirectResponse(f"/compare/{quote(a.strip())}/{quote(b.strip())}", 303)
    return render(request, "compare_pick.html", {"gpus": [g.id for g in all_gpus()]},
                  json_url="/compare.json")


def _report_options(request: Request) -> dict[str, Any]:
    raw = {key: request.query_params.get(key) for key in compare_page.REPORT_OPTIONS}
    options: dict[str, Any] = {}
    problems = []
    for key, value in raw.items():
        if value in (None, ""):
            continue
        if key in ("model", "weights", "provider"):
            options[key] = value
            continue
        try:
            options[key] = int(value) if key == "context_tokens" else float(value)
        except ValueError:
            problems.append(f"{key}: {value!r} is not a number")
    if problems:
        raise InvalidRequestError(problems)
    return options


@router.get("/compare/{a}/{b}.json", tags=["pages"],
            summary="The Comparison document (gpuatlas.comparison/1) for A vs B")
def compare_json(request: Request, a: str, b: str) -> JSONResponse:
    document = compare_page.build(_state(request), a, b, _report_options(request))
    return _json(compare_page.to_json(document))


@router.get("/compare/{a}/{b}/report.html", response_class=HTMLResponse, tags=["pages"],
            summary="The report renderer's self-contained HTML for A vs B")
def compare_report(request: Request, a: str, b: str) -> Response:
    document = compare_page.build(_state(request), a, b, _report_options(request))
    return HTMLResponse(compare_page.report_html(document),
                        headers={"Content-Security-Policy": compare_page.REPORT_CSP})


@router.get("/compare/{a}/{b}", response_class=HTMLResponse, tags=["pages"],
            summary="The comparison report for A vs B")
def compare(request: Request, a: str, b: str) -> Response:
    options = _report_options(request)
    document = compare_page.build(_state(request), a, b, options)
    query = ("?" + str(request.query_params)) if request.query_params else ""
    embedded = compare_page.has_report_renderer()
    return render(request, "compare.html",
                  {"doc": document, "options": options, "gpus": [g.id for g in all_gpus()],
                   "report_url": f"/compare/{quote(a)}/{quote(b)}/report.html{query}"
                   if embedded else None},
                  json_url=f"/compare/{quote(a)}/{quote(b)}.json{query}",
                  title=f"{document.a.label} vs {document.b.label}")


@router.get("/leaderboard.json", tags=["pages"], summary="Atlas Scores with intervals")
def leaderboard_json(request: Request) -> JSONResponse:
    return _json({"rows": views.leaderboard_rows(_state(request))})


@router.get("/leaderboard", response_class=HTMLResponse, tags=["pages"], summary="Leaderboard")
def leaderboard(request: Request) -> Response:
    rows = views.leaderboard_rows(_state(request))
    return render(request, "leaderboard.html", {"rows": rows}, json_url="/leaderboard.json",
                  chart=_score_chart(rows[:25], "Atlas Score (RTX 3090 = 100), 95% interval"))


@router.get("/plan", tags=["pages"], summary="Planner (redirects to the fit form)")
def plan_index() -> RedirectResponse:
    return RedirectResponse("/plan/fit", 303)


def _planner_data(kind: planner.PlannerKind, request: Request) -> dict[str, Any]:
    submitted = bool(request.query_params)
    form = planner.parse_form(kind, dict(request.query_params))
    result = planner.run_planner(kind, form) if submitted else None
    return {"kind": kind, "form": form.model_dump(), "submitted": submitted, "result": result}


@router.get("/plan/{kind}.json", tags=["planner"],
            summary="Planner result: fit (memory), predict (speed) or plan (cheapest config)")
def planner_json(request: Request, kind: planner.PlannerKind) -> JSONResponse:
    return _json(_planner_data(kind, request))


@router.get("/plan/{kind}", response_class=HTMLResponse, tags=["planner"],
            summary="Planner forms")
def planner_page(request: Request, kind: planner.PlannerKind) -> Response:
    data = _planner_data(kind, request)
    query = ("?" + str(request.query_params)) if request.query_params else ""
    return render(request, "planner.html", data, json_url=f"/plan/{kind}.json{query}",
                  gpus=[g.id for g in all_gpus()])


@router.get("/prices.json", tags=["pages"], summary="Current cloud prices and their history")
def prices_json(gpu: str | None = None) -> JSONResponse:
    return _json(views.prices_view(gpu))


@router.get("/prices", response_class=HTMLResponse, tags=["pages"], summary="Cloud prices")
def prices(request: Request, gpu: str | None = None) -> Response:
    data = views.prices_view(gpu)
    charts = [_price_chart(history, f"{gpu_id}: $/GPU-hour over time")
              for gpu_id, history in data["history"].items()
              if len({h["observed_date"] for h in history}) > 1]
    suffix = f"?gpu={quote(gpu)}" if gpu else ""
    return render(request, "prices.html", data, json_url=f"/prices.json{suffix}",
                  charts=charts, gpus=[g.id for g in all_gpus()])


@router.get("/results/{result_id}.json", tags=["pages"], summary="One stored result")
def result_json(request: Request, result_id: str) -> JSONResponse:
    document = views.result_view(_state(request), result_id)
    if document is None:
        return JSONResponse({"detail": f"no result {result_id!r}"}, status_code=404)
    return _json(document)


@router.get("/results/{result_id}", response_class=HTMLResponse, tags=["pages"],
            summary="One stored result with its samples")
def result_page(request: Request, result_id: str) -> Response:
    document = views.result_view(_state(request), result_id)
    if document is None:
        return render(request, "error.html", {"status": 404, "problems":
                      [f"no stored result with id {result_id!r}"]}, json_url=None,
                      status_code=404)
    return render(request, "result.html", {"result": document},
                  json_url=f"/results/{quote(result_id)}.json")
