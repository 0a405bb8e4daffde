"""The app's store for the reports built while serving a request (report.reading_store)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gpuatlas.report.reading_store import reading_from
from gpuatlas.store import Store


class ReadingStoreMiddleware:
    """Every request's reports read the app's own store, not the process's configured one."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with reading_from(self.store):
            await self.app(scope, receive, send)
