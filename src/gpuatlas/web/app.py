"""The GPU Atlas web app: pages, their .json twins, the ingest API and offline API docs."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gpuatlas.app.errors import error_document, problem_document
from gpuatlas.errors import GpuAtlasError, InvalidRequestError, UnknownNameError
from gpuatlas.store import Store, open_store
from gpuatlas.web import admin, answers, api_docs, compare_page, ingest, pages
from gpuatlas.web.reading_store import ReadingStoreMiddleware
from gpuatlas.web.rendering import render
from gpuatlas.web.security import GuardMiddleware
from gpuatlas.web.state import AppState

STATIC_DIR = Path(__file__).parent / "static"
REPORT_STYLE_DIR = Path(__file__).parents[1] / "report" / "data"
log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At startup, warm the report cache in the background (never delays readiness); at
    shutdown, stop the warm-up between two systems."""
    stop = threading.Event()
    compare_page.start_cache_warmup(stop, app.state.store)
    yield
    stop.set()


def create_app(store: Store | None = None, database_url: str | None = None) -> FastAPI:
    """The ASGI app over ``store`` (or the store at ``database_url`` / the default one).

    Its startup warms the report's per-system cache in a background thread (see
    ``compare_page.start_cache_warmup``; GPUATLAS_WARM_CACHE=0 turns that off)."""
    opened = store or open_store(database_url)
    app = FastAPI(
        title="GPU Atlas",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
        description="Which GPU for your AI workload: facts, predictions, measurements. "
        "Every HTML page has a .json twin; fleets push results to /api/v1/results.",
    )
    app.state.store = opened
    app.state.app_state = AppState(opened)
    # The report's own stylesheets (the at-a-glance block is styled once, for the HTML report
    # and the web compare page alike); mounted before /static so its prefix wins.
    app.mount("/static/report", StaticFiles(directory=str(REPORT_STYLE_DIR)), name="report-style")
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(ingest.router)
    app.include_router(admin.router)
    app.include_router(pages.router)
    app.include_router(answers.router)
    _add_meta_routes(app)
    _add_error_handlers(app)
    app.add_middleware(GuardMiddleware)
    app.add_middleware(ReadingStoreMiddleware, store=opened)
    api_docs.install_openapi(app)
    return app


def _add_meta_routes(app: FastAPI) -> None:
    @app.get("/docs", response_class=HTMLResponse, tags=["meta"], summary="API documentation")
    def docs(request: Request) -> Response:
        schema = app.openapi()
        return render(
            request,
            "docs.html",
            {"operations": api_docs.operations(schema)},
            json_url="/openapi.json",
        )

    @app.get("/healthz", tags=["meta"], summary="Liveness and store revision")
    def health(request: Request) -> JSONResponse:
        store: Store = request.app.state.store
        return JSONResponse(
            {
                "ok": True,
                "backend": store.backend,
                "revision": store.revision(),
                "pid": os.getpid(),
                "warm_up": compare_page.warmup_progress(),
            }
        )


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.endswith(".json") or path.startswith("/api/")


def _problem_response(request: Request, status: int, document: dict[str, Any]) -> Response:
    """The error document (gpuatlas.error/1, exactly as the CLI prints it under --json for the
    same error) on .json and API paths; the error page, listing its problems, elsewhere."""
    if _wants_json(request):
        return JSONResponse(document, status)
    return render(
        request,
        "error.html",
        {"status": status, "problems": document["problems"]},
        json_url=None,
        status_code=status,
    )


def _not_found_problems(path: str) -> list[str]:
    """What a 404 page says: the path, the pages there are, and for a comparison whose names
    hold a '/' (a100/80gb) how to write them."""
    problems = [
        f"no page at {path}: the pages are / (GPUs), /compare, /leaderboard, /prices, /plan, "
        "/cost and /docs (the API)"
    ]
    if path.startswith("/compare/") and path.rstrip("/").count("/") > 3:
        problems.append(
            "a comparison is /compare/A/B with two names: write a name without '/' "
            "(a100-80gb or 'a100 80gb', not a100/80gb)"
        )
    return problems


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        """A path with no route: the error page (or document) listing the pages, not
        FastAPI's bare {"detail": "Not Found"}; every other HTTP error as FastAPI gives it."""
        if error.status_code != 404 or error.detail != "Not Found":
            return await http_exception_handler(request, error)
        path = request.url.path
        return _problem_response(request, 404, problem_document(_not_found_problems(path)))

    @app.exception_handler(UnknownNameError)
    def unknown_name(request: Request, error: UnknownNameError) -> Response:
        return _problem_response(request, 404, error_document(error))

    @app.exception_handler(InvalidRequestError)
    def invalid(request: Request, error: InvalidRequestError) -> Response:
        return _problem_response(request, 422, error_document(error))

    @app.exception_handler(GpuAtlasError)
    def domain_error(request: Request, error: GpuAtlasError) -> Response:
        return _problem_response(request, 400, error_document(error))

    @app.exception_handler(ValueError)
    def value_error(request: Request, error: ValueError) -> Response:
        # The exception's text is internal (it may name code or data paths): log it only.
        log.info("request %s could not be computed: %s", request.url.path, error)
        return _problem_response(
            request,
            422,
            problem_document(
                [
                    "this request could not be computed from its parameters; check them against "
                    "the API documentation at /docs"
                ]
            ),
        )
