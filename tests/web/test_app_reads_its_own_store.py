"""An app over a store of its own hands that store to the reports of the requests it serves
(report.reading_store), without changing what the rest of the process reads: no environment
variable is set, so a later command in the same process reads the configured database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gpuatlas.report.reading_store import given_store, reading_database_url
from gpuatlas.store import open_store
from gpuatlas.store.engine import DATABASE_URL_VARIABLE
from gpuatlas.web.app import create_app


def test_requests_read_the_apps_store_and_the_process_keeps_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GPUATLAS_WARM_CACHE", "0")
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    configured = reading_database_url()
    store = open_store(f"sqlite:///{tmp_path / 'own.db'}", seed=False)
    app = create_app(store)

    @app.get("/probe-sync")
    def probe_sync() -> dict[str, object]:  # a plain endpoint: run in the thread pool
        return {"url": reading_database_url(), "same": given_store() is store}

    @app.get("/probe-async")
    async def probe_async() -> dict[str, object]:
        return {"url": reading_database_url(), "same": given_store() is store}

    with TestClient(app) as client:
        for path in ("/probe-sync", "/probe-async"):
            answer = client.get(path).json()
            assert answer == {"url": store.url, "same": True}
        assert DATABASE_URL_VARIABLE not in os.environ
        assert reading_database_url() == configured != store.url
        assert given_store() is None
    store.close()
