"""Test markers by what a test needs, so `make check` can run the quick unit tests alone.

- `browser`: drives Debian's chromium (the `browser` fixture of tests/web/test_browser.py).
- `postgres`: starts or uses a real PostgreSQL 15 cluster (the `postgres_cluster` fixture).
- `integration`: starts processes (a server fixture, or a test module that imports
  `subprocess`), loads heavy optional dependencies (torch, diffusers, transformers), fuzzes with
  hypothesis or schemathesis, runs the code-quality tools, or runs whole commands over the
  default database.
- `unit`: everything else (pure functions, in-process apps over a temporary SQLite file).

A test is marked from its file and fixtures here, in one place, rather than by decorators
scattered through the suite; `pytest -m unit` is what `make check` runs.
"""

from __future__ import annotations

import os
import types
from collections.abc import Iterator

import pytest

from gpuatlas.store.engine import DATABASE_URL_VARIABLE

BROWSER_FILES = frozenset({"test_browser.py"})
BROWSER_FIXTURES = frozenset({"browser"})
PROCESS_FIXTURES = frozenset(
    {
        "llama_server",
        "secured_llama_server",
        "reference_server",
        "reference_stats",
        "launch_reference_server",
        "tiny_gguf",
    }
)
# Modules whose presence in a test module's namespace means the test starts processes, loads a
# heavy optional dependency or fuzzes.
INTEGRATION_MODULES = frozenset({"subprocess", "torch", "diffusers", "transformers", "hypothesis"})
INTEGRATION_FILES = frozenset(
    {
        "test_bench_llamacpp.py",
        "test_bench_inprocess.py",
        "test_bench_reference_truth.py",
        "test_fault_tolerance.py",
        "test_scale_out.py",
        "test_schemathesis.py",
        "test_schemathesis_fleet.py",
        "test_schemathesis_planner.py",
        "test_code_quality.py",
        # whole commands over the default database (every GPU, every section)
        "test_terminal_tables.py",
        "test_readme_commands.py",
        "test_any_pair_cross_vendor.py",
        "test_same_answers.py",
        # counts the FLOPs of a real-size UNet with torch's FLOP counter
        "test_models_flops.py",
    }
)


def uses_postgres(fixture_names: set[str], params: dict[str, object]) -> bool:
    """The cluster fixture itself, or the `database_url` fixture in its PostgreSQL variant."""
    return "postgres_cluster" in fixture_names or params.get("database_url") == "postgresql"


def markers_for(
    file_name: str,
    fixture_names: set[str],
    params: dict[str, object],
    module_names: frozenset[str] = frozenset(),
) -> list[str]:
    """The markers a test gets from its file name, the fixtures it uses and the modules its
    test module imports."""
    markers = []
    if file_name in BROWSER_FILES or fixture_names & BROWSER_FIXTURES:
        markers.append("browser")
    if (
        file_name in INTEGRATION_FILES
        or fixture_names & PROCESS_FIXTURES
        or module_names & INTEGRATION_MODULES
    ):
        markers.append("integration")
    if uses_postgres(fixture_names, params):
        markers.append("postgres")
    return markers or ["unit"]


def imported_roots(module: object) -> frozenset[str]:
    """The top-level packages a test module uses: its imported modules and the packages its
    imported names come from (`from hypothesis import given` gives 'hypothesis')."""
    if module is None:
        return frozenset()
    roots = set()
    for value in vars(module).values():
        name = (
            value.__name__
            if isinstance(value, types.ModuleType)
            else getattr(value, "__module__", None)
        )
        if isinstance(name, str):
            roots.add(name.split(".")[0])
    return frozenset(roots)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixture_names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = dict(callspec.params) if callspec is not None else {}
        module_names = imported_roots(getattr(item, "module", None))
        for marker in markers_for(item.path.name, fixture_names, params, module_names):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _database_url_variable_restored() -> Iterator[None]:
    """`web.server.serve` points its process at the store it serves (GPUATLAS_DATABASE_URL, for
    its worker processes); a test that sets the variable must not leave the next test in the
    same worker reading its temporary database (the leaderboard read an empty one under
    `pytest -n` while `create_app` still set it: it now hands its store to the reports of its
    requests instead, report.reading_store)."""
    before = os.environ.get(DATABASE_URL_VARIABLE)
    yield
    if before is None:
        os.environ.pop(DATABASE_URL_VARIABLE, None)
    else:
        os.environ[DATABASE_URL_VARIABLE] = before
