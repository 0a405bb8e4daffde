"""Reading what ``gpuatlas db export`` writes back in (``gpuatlas db import``): JSON Lines of
result documents, each with a ``store`` block (origin, agent, received_at, quarantine state
and reasons, released_at, audit). A result file holding one such document reads the same.

Importing an export keeps what the block says (the origin agent, when it was received, its
quarantine and audit), so one store moves into another (SQLite -> PostgreSQL) unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gpuatlas.errors import DataFileError, GpuAtlasError
from gpuatlas.records.result import BenchResult, parse_result

STORE_BLOCK = "store"
MAX_ORIGIN_CHARS = 20  # the results table's origin column


@dataclass(frozen=True)
class StoredState:
    """A result's store record as an export carries it."""

    origin: str
    agent: str | None
    received_at: datetime
    quarantined: bool
    quarantine_reasons: tuple[str, ...]
    released_at: datetime | None = None
    audit: tuple[dict[str, Any], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ExportedResult:
    """One result of an export and its store record (None: a plain result file)."""

    result: BenchResult
    state: StoredState | None


def exported_lines(text: str) -> list[tuple[int, str]]:
    """The non-empty lines of a JSON Lines text with their line numbers (from 1)."""
    return [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]


def is_json_lines(text: str) -> bool:
    """Whether a text holds several JSON documents, one a line (what db export writes)."""
    lines = exported_lines(text)
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0][1])
    except json.JSONDecodeError:
        return False
    return True


def read_exported(text: str, origin: str) -> list[ExportedResult]:
    """Every result of a db export (JSON Lines); DataFileError lists every problem of every
    line at once, each naming its line."""
    entries, problems = [], []
    for number, line in exported_lines(text):
        where = f"{origin}, line {number}"
        try:
            document = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not valid JSON ({error.msg})")
            continue
        try:
            entries.append(exported_result(document, where))
        except GpuAtlasError as error:
            problems += [f"line {number}: {text}" for text in getattr(error, "problems", [error])]
    if problems:
        raise DataFileError(origin, problems)
    return entries


def exported_result(document: Any, origin: str) -> ExportedResult:
    """One result document, with its store block when it has one (all problems at once)."""
    if not isinstance(document, dict) or STORE_BLOCK not in document:
        return ExportedResult(parse_result(document, origin), None)
    body = {key: value for key, value in document.items() if key != STORE_BLOCK}
    state, problems = stored_state(document[STORE_BLOCK])
    try:
        result = parse_result(body, origin)
    except DataFileError as error:
        raise DataFileError(origin, problems + list(error.problems)) from None
    if state is None:
        raise DataFileError(origin, problems)
    return ExportedResult(result, state)


def stored_state(block: Any) -> tuple[StoredState | None, list[str]]:
    """The store block of an exported result, or the problems of its fields."""
    if not isinstance(block, dict):
        return None, [f"field {STORE_BLOCK}: expected an object as db export writes it"]
    problems = _block_problems(block)
    received = _moment(block.get("received_at"))
    released = _moment(block.get("released_at"))
    if problems or received is None:
        return None, problems
    return (
        StoredState(
            origin=block["origin"],
            agent=block.get("agent"),
            received_at=received,
            quarantined=block["quarantined"],
            quarantine_reasons=tuple(block.get("quarantine_reasons") or ()),
            released_at=released,
            audit=tuple(block.get("audit") or ()),
        ),
        [],
    )


def _block_problems(block: dict[str, Any]) -> list[str]:
    problems = []
    origin = block.get("origin")
    if not isinstance(origin, str) or not 0 < len(origin) <= MAX_ORIGIN_CHARS:
        problems.append(
            f"field store.origin: {origin!r} is not an origin (agent, import, public, ...)"
        )
    if block.get("agent") is not None and not isinstance(block.get("agent"), str):
        problems.append("field store.agent: expected text or null")
    if _moment(block.get("received_at")) is None:
        problems.append(
            f"field store.received_at: {block.get('received_at')!r} is not an ISO 8601 timestamp"
        )
    if block.get("released_at") is not None and _moment(block.get("released_at")) is None:
        problems.append(
            f"field store.released_at: {block.get('released_at')!r} is not an ISO 8601 timestamp"
        )
    if not isinstance(block.get("quarantined"), bool):
        problems.append("field store.quarantined: expected true or false")
    reasons = block.get("quarantine_reasons") or []
    if not isinstance(reasons, list) or not all(isinstance(text, str) for text in reasons):
        problems.append("field store.quarantine_reasons: expected a list of texts")
    audit = block.get("audit") or []
    if not isinstance(audit, list) or not all(isinstance(entry, dict) for entry in audit):
        problems.append("field store.audit: expected a list of objects")
    unknown = sorted(set(block) - EXPORTED_FIELDS)
    if unknown:
        problems.append(f"field store: unknown field(s) {', '.join(unknown)}")
    return problems


EXPORTED_FIELDS = frozenset(
    {
        "origin",
        "agent",
        "received_at",
        "quarantined",
        "quarantine_reasons",
        "released_at",
        "audit",
    }
)


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (no zone: UTC, as SQLite stores them)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
