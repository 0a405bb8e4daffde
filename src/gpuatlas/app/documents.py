"""What every answer document shares: the schema_version name and JSON-ready plain values."""

from __future__ import annotations

import dataclasses
from pathlib import PurePath
from typing import Any

SCHEMA_PREFIX = "gpuatlas."


def schema_name(answer: str, version: int = 1) -> str:
    """``gpuatlas.<answer>/<version>``: the one naming convention of every document."""
    return f"{SCHEMA_PREFIX}{answer}/{version}"


def versioned(answer: str, body: dict[str, Any], version: int = 1) -> dict[str, Any]:
    """The document with its schema_version first and every value JSON-ready."""
    return {"schema_version": schema_name(answer, version), **plain(body)}


def plain(value: Any) -> Any:
    """Dataclasses, tuples, paths and dates as plain JSON values (dict, list, str, number)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
