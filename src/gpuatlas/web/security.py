"""The app's outer guard (an ASGI middleware): security headers on every response, a clear
503 (page or JSON) while the database is unreachable, and a 500 that never shows internal
exception text to the client (the log gets it, under an error id the client sees)."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gpuatlas.app.errors import problem_document
from gpuatlas.web.rendering import render

log = logging.getLogger(__name__)

# No inline script or style anywhere on the site's pages (templates load /static files only).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
RETRY_AFTER_S = 30
DATABASE_DOWN = "The results database is unreachable right now; please try again in a minute."
DATABASE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError)


class GuardMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = with_security_headers(list(message.get("headers", [])))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            if started:
                raise
            await self._error_response(scope, error)(scope, receive, send_with_headers)

    @staticmethod
    def _error_response(scope: Scope, error: Exception) -> Any:
        if isinstance(error, DATABASE_ERRORS):
            log.warning("database unavailable on %s: %s", scope.get("path"), error)
            return error_response(
                Request(scope), 503, [DATABASE_DOWN], {"Retry-After": str(RETRY_AFTER_S)}
            )
        reference = secrets.token_hex(6)
        log.exception("internal error %s on %s", reference, scope.get("path"))
        return error_response(
            Request(scope),
            500,
            [f"Internal error (reference {reference}); the server log has the details."],
        )


def with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response's headers plus each security header it does not set itself (the report
    frame keeps its own, stricter CSP)."""
    present = {name.lower() for name, _ in headers}
    return headers + [
        (name.encode(), value.encode())
        for name, value in SECURITY_HEADERS.items()
        if name.encode() not in present
    ]


def wants_json(request: Request) -> bool:
    path = request.url.path
    accept = request.headers.get("accept", "")
    return (
        path.endswith(".json")
        or path.startswith("/api/")
        or path == "/healthz"
        or ("application/json" in accept and "text/html" not in accept)
    )


def error_response(
    request: Request, status: int, problems: list[str], headers: dict[str, str] | None = None
) -> Any:
    """JSON for API and .json paths, else the error page."""
    if wants_json(request):
        body = json.dumps(problem_document(problems))
        return Response(body, status_code=status, headers=headers, media_type="application/json")
    response = render(
        request,
        "error.html",
        {"status": status, "problems": problems},
        json_url=None,
        status_code=status,
    )
    response.headers.update(headers or {})
    return response
