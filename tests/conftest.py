"""Test markers by what a test needs, so `make check` can run the quick unit tests alone.

- `browser`: drives Debian's chromium (tests/web/test_browser.py).
- `postgres`: starts or uses a real PostgreSQL 15 cluster (the `postgres_cluster` fixture).
- `integration`: real server processes, in-process model pipelines, schemathesis, the
  code-quality tools, or a whole-command run over the default database.
- `unit`: everything else (pure functions, in-process apps over a temporary SQLite file).

A test is marked from its file and fixtures here, in one place, rather than by decorators
scattered through the suite; `pytest -m unit` is what `make check` runs.
"""

from __future__ import annotations

import pytest

BROWSER_FILES = frozenset({"test_browser.py"})
INTEGRATION_FILES = frozenset(
    {
        "test_bench_llamacpp.py",
        "test_bench_inprocess.py",
        "test_bench_reference_truth.py",
        "test_fault_tolerance.py",
        "test_scale_out.py",
        "test_schemathesis.py",
        "test_code_quality.py",
    }
)


def uses_postgres(fixture_names: set[str], params: dict[str, object]) -> bool:
    """The cluster fixture itself, or the `database_url` fixture in its PostgreSQL variant."""
    return "postgres_cluster" in fixture_names or params.get("database_url") == "postgresql"


def markers_for(file_name: str, fixture_names: set[str], params: dict[str, object]) -> list[str]:
    """The markers a test gets from its file name and the fixtures it uses."""
    markers = []
    if file_name in BROWSER_FILES:
        markers.append("browser")
    if file_name in INTEGRATION_FILES:
        markers.append("integration")
    if uses_postgres(fixture_names, params):
        markers.append("postgres")
    return markers or ["unit"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixture_names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = dict(callspec.params) if callspec is not None else {}
        for marker in markers_for(item.path.name, fixture_names, params):
            item.add_marker(marker)
