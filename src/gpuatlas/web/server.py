"""``gpuatlas serve``: uvicorn with one or several worker processes."""

from __future__ import annotations

import os

import uvicorn

from gpuatlas.store import open_store
from gpuatlas.store.engine import DATABASE_URL_VARIABLE


def serve(host: str, port: int, workers: int, database_url: str | None = None) -> None:
    """Migrate (and seed the default database) once, then start the workers."""
    store = open_store(database_url)
    if database_url or not store.is_default:
        os.environ[DATABASE_URL_VARIABLE] = store.url
    store.close()
    if workers > 1:
        uvicorn.run("gpuatlas.web.asgi:app", host=host, port=port, workers=workers,
                    log_level="info", proxy_headers=True)
        return
    from gpuatlas.web.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info")
