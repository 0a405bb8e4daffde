"""Fixtures of the web tests: an in-process app over a fresh store, and real server processes."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_pg import database_url, postgres_cluster  # noqa: E402,F401
from gpuatlas.store import Store, open_store  # noqa: E402
from gpuatlas.web.app import create_app  # noqa: E402


@pytest.fixture(scope="session")
def seeded_database_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated and loaded with the public data set, made once per session;
    each test gets its own copy (loading the data set is most of a fresh store's cost)."""
    path = tmp_path_factory.mktemp("seeded") / "template.db"
    open_store(f"sqlite:///{path}", seed=True).close()
    return path


@pytest.fixture
def store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_database_file: Path
) -> Iterator[Store]:
    """A fresh SQLite store loaded with the public data set (like the default database): a
    copy of the session's seeded file, opened as the app opens it."""
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path / "data"))
    # The serve-time profile warm-up is covered by tests/report/test_profiles.py; here it
    # would only burn CPU in a background thread of every app.
    monkeypatch.setenv("GPUATLAS_WARM_CACHE", "0")
    database = tmp_path / "web.db"
    shutil.copyfile(seeded_database_file, database)
    opened = open_store(f"sqlite:///{database}", seed=True)
    monkeypatch.setenv("GPUATLAS_DATABASE_URL", opened.url)
    yield opened
    opened.close()


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store)) as test_client:
        yield test_client


@pytest.fixture
def token(store: Store) -> str:
    return store.create_token("agent-1")
