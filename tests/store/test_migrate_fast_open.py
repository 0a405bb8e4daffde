"""Opening a database that is already at the newest migration reads its revision without
alembic; a new or older database still goes through alembic's upgrade."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gpuatlas.store import open_store
from gpuatlas.store.migrate import current_revision, head_revision, scripts_head_revision
from gpuatlas.store.migrate import stored_revision as read_stored_revision

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fast.db'}"


def test_the_cached_newest_revision_is_alembics() -> None:
    assert head_revision() == scripts_head_revision()


def test_stored_revision_agrees_with_alembic(url: str) -> None:
    store = open_store(url, seed=False)
    assert read_stored_revision(store.engine) == current_revision(store.engine) == head_revision()


def test_a_database_without_migrations_has_no_stored_revision(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}", migrate=False, seed=False)
    assert read_stored_revision(store.engine) is None


def test_reopening_an_up_to_date_database_does_not_import_alembic(url: str, tmp_path: Path) -> None:
    open_store(url, seed=False)  # creates and migrates (alembic runs)
    program = (
        "import sys\n"
        "from gpuatlas.store import open_store\n"
        f"open_store({url!r}, seed=False)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))\n"
    )
    environment = {"PYTHONPATH": str(SRC), "GPUATLAS_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # the first run fills the cache of the newest revision
        result = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
