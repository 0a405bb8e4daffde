"""The OpenAPI schema (with the result document's schema as components) and an offline /docs
page rendered from it (no CDN: FastAPI's default Swagger UI loads scripts from one)."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from gpuatlas.records.result import result_json_schema

ERROR_MEANINGS = {
    400: "The request is valid but cannot be answered (e.g. the model cannot run there)",
    404: "An unknown name (GPU, system, model, result); the problem lists close matches",
    422: "Invalid parameters: every problem at once",
}
FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"


class Problem(BaseModel):
    """What every error of the pages' .json twins returns: the CLI's --json error document."""

    schema_version: Literal["gpuatlas.error/1"]
    error: str = Field(description="What went wrong, in one line.")
    problems: list[str] = Field(description="Every problem found, each on its own.")
    candidates: list[str] | None = Field(
        None, description="Close matches of an unknown name (404 only)."
    )


def document_response(schema_version: str) -> dict[int | str, dict[str, Any]]:
    """The documented 200 of a .json route: an object carrying this schema_version."""
    schema = {
        "type": "object",
        "required": ["schema_version"],
        "properties": {"schema_version": {"type": "string", "const": schema_version}},
    }
    return {
        200: {
            "description": f"The {schema_version} document",
            "content": {"application/json": {"schema": schema}},
        }
    }


def json_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Documented error responses of a .json route (the Problem document)."""
    return {code: {"model": Problem, "description": ERROR_MEANINGS[code]} for code in codes}


def request_parameters(request: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI query parameters from a request model: types, limits, descriptions, examples
    and which are required (those first)."""
    schema = request.model_json_schema()
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = {key: value for key, value in prop.items() if key != "title"}
        description = prop.pop("description", "")
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "description": description,
                "schema": prop,
            }
        )
    return sorted(parameters, key=lambda parameter: not parameter["required"])


def html_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Documented error responses of an HTML page (an error page, not JSON)."""
    return {
        code: {
            "description": ERROR_MEANINGS[code],
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
        for code in codes
    }


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(_result_schemas())
    _replace_fastapi_validation(schema)
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    return schema


def _replace_fastapi_validation(schema: dict[str, Any]) -> None:
    """The pages parse their parameters themselves and answer 422 with a Problem (JSON) or an
    error page (HTML), never with FastAPI's validation error: document what they return."""
    for methods in schema.get("paths", {}).values():
        operation = methods.get("get")
        if operation is None:
            continue
        responses = operation.get("responses", {})
        if FASTAPI_VALIDATION not in json.dumps(responses.get("422", {})):
            continue
        html = "text/html" in responses.get("200", {}).get("content", {})
        replacement = html_errors(422) if html else json_errors(422)
        responses["422"] = {
            "description": ERROR_MEANINGS[422],
            "content": replacement[422].get("content")
            or {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    if FASTAPI_VALIDATION not in json.dumps(schema.get("paths", {})):
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)


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
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": p.get("required"),
                            "schema": p.get("schema", {}),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "responses": {
                        code: r.get("description", "")
                        for code, r in operation.get("responses", {}).items()
                    },
                    "tags": operation.get("tags", []),
                }
            )
    return found
