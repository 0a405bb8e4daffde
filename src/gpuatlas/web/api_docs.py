"""The OpenAPI schema (with the result document's schema as components) and an offline /docs
page rendered from it (no CDN: FastAPI's default Swagger UI loads scripts from one)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gpuatlas.bench.result import result_json_schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(_result_schemas())
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    return schema


def _result_schemas() -> dict[str, Any]:
    document = result_json_schema()
    definitions = document.pop("$defs", {})
    document.pop("$id", None)
    schemas = {"BenchResultDocument": document, **definitions}
    text = json.dumps(schemas).replace('"#/$defs/', '"#/components/schemas/')
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat list of operations for the docs page."""
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            found.append({
                "method": method.upper(), "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": [
                    {"name": p.get("name"), "in": p.get("in"), "required": p.get("required"),
                     "schema": p.get("schema", {})}
                    for p in operation.get("parameters", [])
                ],
                "responses": {code: r.get("description", "") for code, r in
                              operation.get("responses", {}).items()},
                "tags": operation.get("tags", []),
            })
    return found
