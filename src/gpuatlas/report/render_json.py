"""JSON renderer: the Comparison document as versioned JSON (schema in SCHEMA.md)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from gpuatlas.report.document import Comparison, Quantity, Statement, Text
from gpuatlas.report.phrasing import render_statement


def to_jsonable(value: Any) -> Any:
    """Dataclasses to dicts (cells tagged with their type, statements with their text)."""
    if isinstance(value, Quantity):
        return {"type": "quantity", **_fields(value)}
    if isinstance(value, Text):
        return {"type": "text", **_fields(value)}
    if isinstance(value, Statement):
        return {"text": render_statement(value), **_fields(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    return value


def _fields(value: Any) -> dict[str, Any]:
    return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(comparison)
    return data


def render_json(comparison: Comparison) -> str:
    return json.dumps(comparison_dict(comparison), indent=2, ensure_ascii=False) + "\n"
