"""Reading a report's measured data never writes to the database: the store computes the group
summaries when results are written (issue 14), so the report only reads them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from gpuatlas.report import build_comparison
from gpuatlas.report.measured import load_measured
from gpuatlas.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared result maker
from conftest_pg import make_result  # noqa: E402

WRITING_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A results database with two rtx-4090 runs, written and closed like a finished import."""
    path = tmp_path / "results.db"
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GPUATLAS_DATABASE_URL", f"sqlite:///{path}")
    store = open_store(f"sqlite:///{path}")
    store.add_results([make_result(headline_value=value) for value in (100.0, 110.0)])
    store.close()
    return path


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs while the test body runs."""
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.split(None, 1)[0].upper() in WRITING_VERBS]


def test_reading_measured_data_runs_no_write_statement(
    database: Path, statements: list[str]
) -> None:
    data = load_measured(["rtx-4090"])
    [samples] = data.for_system("rtx-4090").values()
    assert (samples.summary().n, samples.summary().median) == (2, 105.0)
    assert statements, "the listener saw no statement at all"
    assert _writes(statements) == []


def test_reading_measured_data_leaves_the_database_file_byte_identical(
    database: Path, statements: list[str]
) -> None:
    before = database.read_bytes()
    assert load_measured(["rtx-4090"]).for_system("rtx-4090")
    load_measured(["rtx-4090", "a100-80gb-sxm"])
    wal = database.with_name(database.name + "-wal")
    assert database.read_bytes() == before
    assert not wal.exists() or wal.stat().st_size == 0  # nothing waiting to be checkpointed


def test_building_a_whole_comparison_writes_nothing(database: Path, statements: list[str]) -> None:
    before = database.read_bytes()
    comparison = build_comparison("rtx-4090", "rtx-3090")
    assert any(entry.a is not None and entry.a.n == 2 for entry in comparison.benchmarks)
    assert _writes(statements) == []
    assert database.read_bytes() == before
