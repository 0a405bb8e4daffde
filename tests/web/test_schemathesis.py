"""Property-based requests generated from the OpenAPI schema: no input yields a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from gpuatlas.store import open_store
from gpuatlas.web.app import create_app


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    store = open_store(f"sqlite:///{folder / 'fuzz.db'}", seed=True)
    token = store.create_token("fuzzer")
    app = create_app(store)
    app.state.fuzz_token = token
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    store.close()


schema = schemathesis.pytest.from_fixture("api_schema")


# One test runs every operation (44 since every answer has its .json route; the planner and the
# cost and fleet answers simulate serving): the default 600 s does not cover them on a busy machine.
@pytest.mark.timeout(2400)
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case: schemathesis.Case) -> None:
    token = case.operation.schema.app.state.fuzz_token  # type: ignore[attr-defined]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
