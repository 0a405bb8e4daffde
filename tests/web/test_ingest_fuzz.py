"""Property-based fuzzing of the ingest schema (hypothesis): a valid result with any one field
(or several) replaced by any JSON value — wrong types, huge or non-finite numbers, lone
surrogates, deep nesting — and arbitrary bytes as bodies. No request may get a 5xx, and a
refused result always comes back with its index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest_pg import result_document
from gpuatlas.store import open_store
from gpuatlas.web.app import create_app

FIELD_PATHS = (
    ("result_id",),
    ("benchmark",),
    ("benchmark_version",),
    ("category",),
    ("created_at",),
    ("gpu_id",),
    ("gpu_count",),
    ("fingerprint",),
    ("fingerprint", "gpus"),
    ("fingerprint", "gpus", 0, "name"),
    ("fingerprint", "hostname_hash"),
    ("settings",),
    ("settings", "model"),
    ("settings", "endpoint"),
    ("settings", "concurrency"),
    ("settings", "extra"),
    ("headline",),
    ("headline", "value"),
    ("headline", "unit"),
    ("headline", "metric"),
    ("headline", "higher_is_better"),
    ("headline", "ci_low"),
    ("metrics",),
    ("metrics", "decode_tok_s", "median"),
    ("metrics", "decode_tok_s", "n"),
    ("samples",),
    ("samples", 0, "ttft_ms"),
    ("samples", 0, "values"),
    ("source",),
    ("warnings",),
    ("energy",),
    ("schema_version",),
)
CHARACTERS = st.characters(codec=None, exclude_categories=())  # lone surrogates included
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(CHARACTERS, max_size=40)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(CHARACTERS, max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    folder: Path = tmp_path_factory.mktemp("ingest-fuzz")
    store = open_store(f"sqlite:///{folder / 'fuzz.db'}", seed=False)
    token = store.create_token("fuzzer")
    with TestClient(create_app(store)) as client:
        yield client, token
    store.close()


def _replace(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = document
    for part in path[:-1]:
        try:
            target = target[part]
        except (KeyError, IndexError, TypeError):
            return document
    last = path[-1]
    if isinstance(target, dict) or (
        isinstance(target, list) and isinstance(last, int) and len(target) > last
    ):
        target[last] = value
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    changes=st.lists(st.tuples(st.sampled_from(FIELD_PATHS), JSON_VALUES), min_size=1, max_size=3)
)
def test_mutated_results_never_get_a_server_error(
    fuzz_client: tuple[TestClient, str], changes: list[tuple[tuple[Any, ...], Any]]
) -> None:
    client, token = fuzz_client
    document = result_document()
    for path, value in changes:
        document = _replace(document, path, value)
    body = json.dumps([result_document(), document], allow_nan=True).encode()
    response = client.post(
        "/api/v1/results",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.text[:500]
    if response.status_code == 422:
        problems = response.json()["problems"]
        assert all(problem["index"] in (0, 1) for problem in problems), problems


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.binary(max_size=400)
    | st.text(CHARACTERS, max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass"))
)
def test_arbitrary_bodies_never_get_a_server_error(
    fuzz_client: tuple[TestClient, str], body: bytes
) -> None:
    client, token = fuzz_client
    response = client.post(
        "/api/v1/results",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.text[:500]
