"""The registry of answers (gpuatlas.app.registry, the README's schema table) is true: each
builder exists, each web route it names returns that schema_version, and every .json answer
route of the web app is in it. (tests/test_json_contract.py checks every command's --json.)"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gpuatlas.app.registry import ANSWERS, markdown_table

WEB_ONLY = {
    "/index.json",
    "/gpu/{gpu}.json",
    "/compare.json",
    "/results/{result_id}.json",
    "/openapi.json",
}


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda answer: answer.schema_version)
def test_each_builder_exists(answer: Any) -> None:
    module, function = answer.builder.split(":")
    assert callable(getattr(import_module(f"gpuatlas.app.{module}"), function))


def test_routes_in_the_registry_are_the_web_answers_with_their_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    documented = {}
    for path, methods in paths.items():
        if path.endswith(".json") and path not in WEB_ONLY and "get" in methods:
            ok = methods["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            documented[path] = ok["properties"]["schema_version"]["const"]
    listed = {a.route: a.schema_version for a in ANSWERS if a.route.startswith("/")}
    assert listed == documented


def test_the_markdown_table_has_a_row_per_answer() -> None:
    rows = markdown_table().splitlines()[2:]
    assert len(rows) == len(ANSWERS)
    assert "| `gpuatlas.plan/2` | `gpuatlas plan --model M --rps R` | `/plan/plan.json` |" in rows
