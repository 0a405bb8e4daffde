"""Import target for multi-worker servers: ``uvicorn gpuatlas.web.asgi:app --workers N``.

Each worker opens the store named by GPUATLAS_DATABASE_URL (or the default database)."""

from __future__ import annotations

from gpuatlas.web.app import create_app

app = create_app()
