"""POST /api/v1/results: fleet ingest (bearer token, size cap, all problems at once).

Every problem names the result it belongs to (``index`` in the batch and ``result_id``; both
null only for problems of the whole body, such as a body that is not JSON). Decoding,
validation and the database write run in a worker thread, so a large body never stalls the
event loop (and with it /healthz and the pages) of its worker.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from gpuatlas.errors import DataFileError, InvalidRequestError
from gpuatlas.records.result import BenchResult, parse_result
from gpuatlas.store import IngestOutcome, Store
from gpuatlas.store.convert import storable_problems
from gpuatlas.store.validity import (
    problems_beyond_schema,
    result_id_problem,
    validity_problems,
)

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_RESULTS_PER_BATCH = 1000
MAX_INTEGER = 2**63 - 1
MAX_JSON_DEPTH = 32  # a result document nests 5 levels; settings.extra gets the rest

router = APIRouter(prefix="/api/v1", tags=["ingest"])


def _request_body_schema() -> dict[str, Any]:
    one = {"$ref": "#/components/schemas/BenchResultDocument"}
    batch = {"type": "array", "items": one, "minItems": 1, "maxItems": MAX_RESULTS_PER_BATCH}
    wrapped = {"type": "object", "required": ["results"], "properties": {"results": batch}}
    return {
        "required": True,
        "content": {"application/json": {"schema": {"oneOf": [one, batch, wrapped]}}},
    }


class IngestError(Exception):
    def __init__(self, status: int, body: dict[str, Any]):
        self.status = status
        self.body = body


@router.post(
    "/results",
    summary="Push one result or a batch (bearer token of an agent)",
    openapi_extra={"requestBody": _request_body_schema(), "security": [{"bearer": []}]},
    responses={
        200: {
            "description": "Stored: accepted, duplicates (already stored with the same "
            "content), quarantined, conflicts (id stored with different "
            "content: not stored)"
        },
        401: {"description": "No token, an unknown token or a revoked token"},
        403: {"description": "A token of another scope (admin): pushing needs an ingest token"},
        413: {
            "description": f"Body over {MAX_BODY_BYTES} bytes or over "
            f"{MAX_RESULTS_PER_BATCH} results"
        },
        415: {"description": "A Content-Type other than application/json"},
        422: {"description": "Every problem of every result at once; nothing was written"},
    },
)
async def post_results(request: Request) -> Response:
    store: Store = request.app.state.store
    try:
        agent = await run_in_threadpool(_authenticate, request, store)
        _check_content_type(request)
        raw = await _read_limited_body(request)
        status, body = await run_in_threadpool(_ingest, raw, agent, store)
        request.app.state.app_state.cache.note_push()
    except IngestError as error:
        return _json_response(error.body, error.status, _headers(error))
    return _json_response(body, status)


def _json_response(
    body: dict[str, Any], status: int, headers: dict[str, str] | None = None
) -> Response:
    """ASCII JSON: ids and texts that are not valid Unicode (lone surrogates) still encode."""
    return Response(
        json.dumps(body, ensure_ascii=True),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


def _ingest(raw: bytes, agent: str, store: Store) -> tuple[int, dict[str, Any]]:
    """Decode, validate and store one request body (runs in a worker thread)."""
    items = _decode(raw)
    batch = _validated_batch(items)
    try:
        outcome = store.add_results(batch, agent=agent)
    except InvalidRequestError as error:  # validated above; kept as a guard
        raise IngestError(
            422, _problems_body([_problem(None, None, message) for message in error.problems])
        ) from None
    return 200, _outcome_body(agent, outcome, items)


def _outcome_body(agent: str, outcome: IngestOutcome, items: list[Any]) -> dict[str, Any]:
    positions: dict[str, int] = {}
    for index, item in enumerate(items):
        positions.setdefault(_id_of(item) or "", index)
    return {
        "agent": agent,
        "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "accepted": list(outcome.accepted),
        "duplicates": list(outcome.duplicates),
        "quarantined": [
            {"result_id": item.result_id, "reasons": list(item.reasons)}
            for item in outcome.quarantined
        ],
        "conflicts": [
            _problem(
                positions.get(result_id),
                result_id,
                "conflict: this result_id is stored with different content; "
                "the new content was not stored (give it a new id)",
            )
            for result_id in outcome.conflicts
        ],
    }


def _headers(error: IngestError) -> dict[str, str]:
    return {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}


def _authenticate(request: Request, store: Store) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise IngestError(401, {"detail": "missing bearer token (Authorization: Bearer ...)"})
    agent = store.verify_token(token.strip())
    if agent is not None:
        return agent
    held = store.token_scope(token.strip())
    if held is None:
        raise IngestError(401, {"detail": "unknown or revoked token"})
    raise IngestError(
        403,
        {
            "detail": f"token {held[0]!r} has scope {held[1]!r}; pushing results needs an "
            "ingest-scoped token (gpuatlas token create NAME)"
        },
    )


def _check_content_type(request: Request) -> None:
    """The body must be declared JSON (application/json, or a +json type); none declared is
    read as JSON, as curl and older agents send."""
    declared = request.headers.get("content-type")
    if declared is None:
        return
    media = declared.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return
    raise IngestError(
        415, {"detail": f"Content-Type {media!r} is not JSON; send Content-Type: application/json"}
    )


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
        raise IngestError(
            422, _problems_body([_problem(None, None, f"body is not valid JSON: {error}")])
        ) from None
    except RecursionError:
        raise IngestError(
            422,
            _problems_body(
                [_problem(None, None, f"body nests deeper than {MAX_JSON_DEPTH} levels")]
            ),
        ) from None
    if isinstance(document, dict) and "results" in document and "schema_version" not in document:
        document = document["results"]
    items = document if isinstance(document, list) else [document]
    if len(items) > MAX_RESULTS_PER_BATCH:
        raise IngestError(
            413, {"detail": f"{len(items)} results; at most {MAX_RESULTS_PER_BATCH} per request"}
        )
    if not items:
        raise IngestError(422, _problems_body([_problem(None, None, "no results")]))
    return items


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether a decoded JSON value nests deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _validated_batch(items: list[Any]) -> list[BenchResult]:
    problems: list[dict[str, Any]] = []
    batch: list[BenchResult] = []
    for index, item in enumerate(items):
        result, item_problems = _validate_one(item)
        problems += [_problem(index, _id_of(item), message) for message in item_problems]
        if result is not None:
            batch.append(result)
    problems += _conflicting_ids(items)
    if problems:
        raise IngestError(422, _problems_body(problems))
    return batch


def _validate_one(item: Any) -> tuple[BenchResult | None, list[str]]:
    if json_depth_exceeds(item, MAX_JSON_DEPTH):
        return None, [f"result nests deeper than {MAX_JSON_DEPTH} levels"]
    raw_problems = list(_raw_value_problems(item, "")) if isinstance(item, dict | list) else []
    if isinstance(item, dict) and "result_id" in item:
        raw_problems += [p for p in (result_id_problem(item["result_id"]),) if p]
    try:
        result = parse_result(item, "result")
    except DataFileError as error:
        further = [p for p in problems_beyond_schema(item) if not p.startswith("field result_id")]
        return None, raw_problems + list(error.problems) + further
    problems = raw_problems + _number_type_problems(item) + storable_problems(result)
    problems += [
        p
        for p in _headline_problems(result) + validity_problems(result)
        if not p.startswith("field result_id")
    ]
    return (None, problems) if problems else (result, [])


def _number_type_problems(item: Any) -> list[str]:
    """JSON true/false where a number belongs (lenient parsing would read them as 1 and 0)."""
    try:
        BenchResult.model_validate(item, strict=True)
    except ValidationError as error:
        return [
            f"field {'.'.join(str(part) for part in problem['loc'])}: expected a number, "
            f"got {json.dumps(problem['input'])}"
            for problem in error.errors()
            if isinstance(problem.get("input"), bool)
        ]
    return []


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
        return [
            problem
            for index, item in enumerate(value)
            for problem in _raw_value_problems(item, f"{path}[{index}]")
        ]
    return _scalar_problem(value, path or "top level")


def _scalar_problem(value: Any, path: str) -> list[str]:
    if isinstance(value, str) and "\x00" in value:
        return [f"field {path}: contains a NUL character"]
    if isinstance(value, str) and not _is_valid_unicode(value):
        return [f"field {path}: contains an unpaired surrogate (not valid Unicode text)"]
    if isinstance(value, float) and not math.isfinite(value):
        return [f"field {path}: NaN and Infinity are not allowed"]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        return [f"field {path}: integer out of range"]
    return []


def _is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _conflicting_ids(items: list[Any]) -> list[dict[str, Any]]:
    first_seen: dict[str, tuple[int, Any]] = {}
    problems = []
    for index, item in enumerate(items):
        result_id = _id_of(item)
        if result_id is None:
            continue
        if result_id in first_seen and first_seen[result_id][1] != item:
            problems.append(
                _problem(
                    index,
                    result_id,
                    f"result_id repeats item {first_seen[result_id][0]} with different content",
                )
            )
        first_seen.setdefault(result_id, (index, item))
    return problems


def _id_of(item: Any) -> str | None:
    result_id = item.get("result_id") if isinstance(item, dict) else None
    return result_id if isinstance(result_id, str) else None


def _problem(index: int | None, result_id: str | None, message: str) -> dict[str, Any]:
    return {"index": index, "result_id": result_id, "message": message}


def _problems_body(problems: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "detail": f"{len(problems)} problem(s); nothing was written",
        "written": 0,
        "problems": problems,
    }
