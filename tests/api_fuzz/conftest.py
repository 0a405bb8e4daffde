"""The app whose OpenAPI schema the fuzz tests read: an in-process app over a seeded SQLite store.

The operations are split over three files (serving fleets, the planner, everything else) so that
pytest-xdist runs them side by side: each fleet or plan request runs the serving simulation over
every GPU, and in one file they made a ten-minute tail at the end of `make test`. The folder sorts
early so those files start first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import schemathesis

from gpuatlas.store import open_store
from gpuatlas.web.app import create_app


@pytest.fixture(scope="module")
def api_schema(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch
) -> Iterator[object]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    # The serve-time profile warm-up would burn CPU in a background thread during the fuzzing.
    monkeypatch_module.setenv("GPUATLAS_WARM_CACHE", "0")
    store = open_store(f"sqlite:///{folder / 'fuzz.db'}", seed=True)
    token = store.create_token("fuzzer")
    app = create_app(store)
    app.state.fuzz_token = token
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    store.close()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture
def answered_below_500() -> Callable[[schemathesis.Case], None]:
    """Calls the operation as the fuzzer's fleet token and fails on any 5xx answer."""

    def check(case: schemathesis.Case) -> None:
        token = case.operation.schema.app.state.fuzz_token  # type: ignore[attr-defined]
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])

    return check
