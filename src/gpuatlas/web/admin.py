"""Administrator actions over the API: release or quarantine a stored result (bearer token of
scope ``admin``: ``gpuatlas token create NAME --scope admin``). Each action is appended to the
result's audit record (who, when, why); ingest tokens get 403."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from gpuatlas.store import Store
from gpuatlas.web.security import error_response

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class AdminAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _authorised(request: Request, store: Store) -> tuple[str | None, int, str]:
    """The admin's name, else the status and the problem (401: no or unknown token, 403: a
    token of another scope)."""
    token = _bearer(request)
    if token is None:
        return None, 401, "missing bearer token (Authorization: Bearer <admin token>)"
    admin = store.verify_token(token, scope="admin")
    if admin is not None:
        store.note_token_use(admin)
        return admin, 200, ""
    held = store.token_scope(token)
    if held is None:
        return None, 401, "unknown or revoked token"
    return (
        None,
        403,
        f"token {held[0]!r} has scope {held[1]!r}; this action needs an admin-scoped token "
        "(gpuatlas token create NAME --scope admin)",
    )


async def _action(request: Request) -> tuple[AdminAction | None, list[str]]:
    """The request body as an AdminAction, or every problem of it (problems format)."""
    try:
        return AdminAction.model_validate_json(await request.body()), []
    except ValidationError as error:
        return None, [
            f"field {'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors()
        ]


async def _act(request: Request, result_id: str, release: bool) -> Any:
    store: Store = request.app.state.store
    admin, status, problem = await run_in_threadpool(_authorised, request, store)
    if admin is None:
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return error_response(request, status, [problem], headers)
    action, problems = await _action(request)
    if action is None:
        return error_response(request, 422, problems)
    by = f"token:{admin}"
    if release:
        held = await run_in_threadpool(store.is_quarantined, result_id)
        if held is False:
            unchanged = {"result_id": result_id, "quarantined": False, "by": by, "changed": False}
            return JSONResponse(unchanged | {"note": "not quarantined: nothing to release"})
        changed = await run_in_threadpool(store.release, result_id, by, action.reason)
    else:
        changed = await run_in_threadpool(store.quarantine, result_id, action.reason, by)
    if not changed:
        return error_response(request, 404, [f"no stored result {result_id!r}"])
    body: dict[str, Any] = {
        "result_id": result_id,
        "quarantined": not release,
        "by": by,
        "changed": True,
    }
    return JSONResponse(body)


_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": AdminAction.model_json_schema()}},
    },
    "security": [{"bearer": []}],
}


@router.post(
    "/results/{result_id}/release",
    summary="Admit a quarantined result (admin)",
    openapi_extra=_BODY,
)
async def release_result(request: Request, result_id: str) -> Any:
    return await _act(request, result_id, release=True)


@router.post(
    "/results/{result_id}/quarantine",
    summary="Hold a result out (admin)",
    openapi_extra=_BODY,
)
async def quarantine_result(request: Request, result_id: str) -> Any:
    return await _act(request, result_id, release=False)
