"""Administrator actions over the API: release or quarantine a stored result (bearer token of
scope ``admin``: ``gpuatlas token create NAME --scope admin``). Each action is appended to the
result's audit record (who, when, why); ingest tokens get 403."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from gpuatlas.store import Store

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class AdminAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


def _admin_name(request: Request, store: Store) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return store.verify_token(token.strip(), scope="admin")


async def _act(
    request: Request, result_id: str, action: AdminAction, release: bool
) -> JSONResponse:
    store: Store = request.app.state.store
    admin = await run_in_threadpool(_admin_name, request, store)
    if admin is None:
        ingest_agent = await run_in_threadpool(_ingest_name, request, store)
        status = 403 if ingest_agent else 401
        return JSONResponse(
            {"detail": "an admin-scoped bearer token is required"},
            status,
            headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
        )
    by = f"token:{admin}"
    if release:
        changed = await run_in_threadpool(store.release, result_id, by, action.reason)
    else:
        changed = await run_in_threadpool(store.quarantine, result_id, action.reason, by)
    if not changed:
        return JSONResponse({"detail": f"no stored result {result_id!r}"}, 404)
    body: dict[str, Any] = {"result_id": result_id, "quarantined": not release, "by": by}
    return JSONResponse(body)


def _ingest_name(request: Request, store: Store) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return store.verify_token(token.strip()) if scheme.lower() == "bearer" and token else None


@router.post(
    "/results/{result_id}/release",
    summary="Admit a quarantined result (admin)",
    openapi_extra={"security": [{"bearer": []}]},
)
async def release_result(request: Request, result_id: str, action: AdminAction) -> JSONResponse:
    return await _act(request, result_id, action, release=True)


@router.post(
    "/results/{result_id}/quarantine",
    summary="Hold a result out (admin)",
    openapi_extra={"security": [{"bearer": []}]},
)
async def quarantine_result(request: Request, result_id: str, action: AdminAction) -> JSONResponse:
    return await _act(request, result_id, action, release=False)
