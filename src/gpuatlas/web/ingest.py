"""POST /api/v1/results: fleet ingest (bearer token, size cap, all problems at once)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gpuatlas.bench.result import BenchResult, parse_result
from gpuatlas.errors import DataFileError
from gpuatlas.store import Store
from gpuatlas.store.convert import storable_problems

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_RESULTS_PER_BATCH = 1000
MAX_INTEGER = 2**63 - 1

router = APIRouter(prefix="/api/v1", tags=["ingest"])


def _request_body_schema() -> dict[str, Any]:
    one = {"$ref": "#/components/schemas/BenchResultDocument"}
    batch = {"type": "array", "items": one, "minItems": 1, "maxItems": MAX_RESULTS_PER_BATCH}
    wrapped = {"type": "object", "required": ["results"], "properties": {"results": batch}}
    return {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [one, batch, wrapped]}}}}


class IngestError(Exception):
    def __init__(self, status: int, body: dict[str, Any]):
        self.status = status
        self.body = body


@router.post(
    "/results",
    summary="Push one result or a batch (bearer token of an agent)",
    openapi_extra={"requestBody": _request_body_schema(), "security": [{"bearer": []}]},
    responses={
        200: {"description": "Stored: accepted, duplicates (already stored), quarantined"},
        401: {"description": "No token, an unknown token or a revoked token"},
        413: {"description": f"Body over {MAX_BODY_BYTES} bytes or over "
                             f"{MAX_RESULTS_PER_BATCH} results"},
        422: {"description": "Every problem of every result at once; nothing was written"},
    },
)
async def post_results(request: Request) -> JSONResponse:
    store: Store = request.app.state.store
    try:
        agent = _authenticate(request, store)
        raw = await _read_limited_body(request)
        batch = _validated_batch(_decode(raw))
    except IngestError as error:
        return JSONResponse(error.body, status_code=error.status, headers=_headers(error))
    outcome = store.add_results(batch, agent=agent)
    return JSONResponse({
        "agent": agent,
        "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "accepted": list(outcome.accepted),
        "duplicates": list(outcome.duplicates),
        "quarantined": [{"result_id": item.result_id, "reasons": list(item.reasons)}
                        for item in outcome.quarantined],
    })


def _headers(error: IngestError) -> dict[str, str]:
    return {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}


def _authenticate(request: Request, store: Store) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise IngestError(401, {"detail": "missing bearer token (Authorization: Bearer ...)"})
    agent = store.verify_token(token.strip())
    if agent is None:
        raise IngestError(401, {"detail": "unknown or revoked token"})
    return agent


async def _read_limited_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise IngestError(413, {"detail": f"body over {MAX_BODY_BYTES} bytes"})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise IngestError(413, {"detail": f"body over {MAX_BODY_BYTES} bytes"})
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(raw: bytes) -> list[Any]:
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IngestError(422, _problems_body([{"index": None, "message":
                                                f"body is not valid JSON: {error}"}])) from None
    if isinstance(document, dict) and "results" in document and "schema_version" not in document:
        document = document["results"]
    items = document if isinstance(document, list) else [document]
    if len(items) > MAX_RESULTS_PER_BATCH:
        raise IngestError(413, {"detail": f"{len(items)} results; at most "
                                          f"{MAX_RESULTS_PER_BATCH} per request"})
    if not items:
        raise IngestError(422, _problems_body([{"index": None, "message": "no results"}]))
    return items


def _validated_batch(items: list[Any]) -> list[BenchResult]:
    problems: list[dict[str, Any]] = []
    batch: list[BenchResult] = []
    for index, item in enumerate(items):
        result, item_problems = _validate_one(item, index)
        problems += [{"index": index, "result_id": _id_of(item), "message": message}
                     for message in item_problems]
        if result is not None:
            batch.append(result)
    problems += _conflicting_ids(items)
    if problems:
        raise IngestError(422, _problems_body(problems))
    return batch


def _validate_one(item: Any, index: int) -> tuple[BenchResult | None, list[str]]:
    raw_problems = list(_raw_value_problems(item, "")) if isinstance(item, dict | list) else []
    try:
        result = parse_result(item, f"results[{index}]")
    except DataFileError as error:
        return None, raw_problems + list(error.problems)
    problems = raw_problems + storable_problems(result) + _headline_problems(result)
    return (None, problems) if problems else (result, [])


def _headline_problems(result: BenchResult) -> list[str]:
    value = result.headline.value
    if value is not None and (not math.isfinite(value) or value <= 0):
        return ["field headline.value: must be a positive finite number (or null)"]
    return []


def _raw_value_problems(value: Any, path: str) -> list[str]:
    """What JSON columns cannot hold portably: NUL characters, NaN/Infinity, huge integers."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            found += _raw_value_problems(str(key), f"{path}.{key}" if path else str(key))
            found += _raw_value_problems(item, f"{path}.{key}" if path else str(key))
        return found
    if isinstance(value, list):
        return [problem for index, item in enumerate(value)
                for problem in _raw_value_problems(item, f"{path}[{index}]")]
    return _scalar_problem(value, path or "top level")


def _scalar_problem(value: Any, path: str) -> list[str]:
    if isinstance(value, str) and "\x00" in value:
        return [f"field {path}: contains a NUL character"]
    if isinstance(value, float) and not math.isfinite(value):
        return [f"field {path}: NaN and Infinity are not allowed"]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        return [f"field {path}: integer out of range"]
    return []


def _conflicting_ids(items: list[Any]) -> list[dict[str, Any]]:
    first_seen: dict[str, tuple[int, Any]] = {}
    problems = []
    for index, item in enumerate(items):
        result_id = _id_of(item)
        if result_id is None:
            continue
        if result_id in first_seen and first_seen[result_id][1] != item:
            problems.append({"index": index, "result_id": result_id, "message":
                             f"result_id repeats item {first_seen[result_id][0]} with "
                             "different content"})
        first_seen.setdefault(result_id, (index, item))
    return problems


def _id_of(item: Any) -> str | None:
    result_id = item.get("result_id") if isinstance(item, dict) else None
    return result_id if isinstance(result_id, str) else None


def _problems_body(problems: list[dict[str, Any]]) -> dict[str, Any]:
    return {"detail": f"{len(problems)} problem(s); nothing was written", "written": 0,
            "problems": problems}
