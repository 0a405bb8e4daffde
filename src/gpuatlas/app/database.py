"""The `db` and `token` commands' answers: what the results database holds and what a command
changed in it (CLI only: the web app's admin and ingest routes answer for themselves). A
database URL is shown without its password; a token appears once, in the document of the
command that created it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gpuatlas.app.documents import versioned
from gpuatlas.store import Store
from gpuatlas.store.migrate import current_revision
from gpuatlas.store.records import IngestOutcome


def db_schema_document(store: Store, revision_before: str | None, loaded: bool) -> dict[str, Any]:
    """``gpuatlas.db-schema/1`` (`db init`, `db upgrade`): the database, its backend, the
    migration before and now, how many results it holds and whether the public data set was
    loaded."""
    return versioned(
        "db-schema",
        {
            "url": store.shown_url,
            "backend": store.backend,
            "revision_before": revision_before,
            "revision": current_revision(store.engine),
            "results": store.count_results(),
            "public_data_loaded": loaded,
        },
    )


def db_status_document(store: Store) -> dict[str, Any]:
    """``gpuatlas.db-status/1``: where the database is and what it holds (results, quarantined
    results, active tokens) and its revision (what comparisons read changes with it)."""
    return versioned(
        "db-status",
        {
            "url": store.shown_url,
            "backend": store.backend,
            "revision": store.revision(),
            "results": store.count_results(),
            "quarantined": store.count_results(quarantined=True),
            "tokens": len([token for token in store.list_tokens() if token.active]),
        },
    )


def db_import_document(
    paths: Sequence[Path], tool: str, agent: str | None, outcome: IngestOutcome
) -> dict[str, Any]:
    """``gpuatlas.db-import/1``: the request (files, tool, agent), how many files were read,
    the ids stored, the ids already stored with the same content (`duplicates`), those stored
    but held in quarantine with the reasons, and `conflicts`: ids stored with other content
    (not stored again)."""
    return versioned(
        "db-import",
        {
            "request": {"files": [str(path) for path in paths], "tool": tool, "agent": agent},
            "files": len(paths),
            "accepted": list(outcome.accepted),
            "duplicates": list(outcome.duplicates),
            "quarantined": [dataclasses.asdict(item) for item in outcome.quarantined],
            "conflicts": list(outcome.conflicts),
        },
    )


def db_quarantined_document(store: Store, limit: int = 1000) -> dict[str, Any]:
    """``gpuatlas.db-quarantined/1``: up to `limit` quarantined results, each with its GPU,
    benchmark, value, agent and reasons."""
    summaries = store.result_summaries(quarantined=True, limit=limit)
    return versioned(
        "db-quarantined",
        {
            "results": [
                {
                    "result_id": item.result_id,
                    "gpu_id": item.gpu_id,
                    "benchmark": item.benchmark,
                    "value": item.value,
                    "agent": item.agent,
                    "reasons": list(item.quarantine_reasons),
                }
                for item in summaries
            ]
        },
    )


def result_state_document(result_id: str, quarantined: bool) -> dict[str, Any]:
    """``gpuatlas.db-result-state/1`` (`db release`, `db quarantine`): the result and whether
    it is now kept out of comparisons."""
    return versioned("db-result-state", {"result_id": result_id, "quarantined": quarantined})


def token_created_document(
    name: str, scope: str, token: str | None = None, token_file: Path | None = None
) -> dict[str, Any]:
    """``gpuatlas.token-created/1``: the agent's name, the token's scope and either the token
    itself (shown this once) or the file it was written to."""
    where = {"token_file": str(token_file)} if token_file is not None else {"token": token}
    return versioned("token-created", {"name": name, "scope": scope, **where})


def token_revoked_document(name: str) -> dict[str, Any]:
    """``gpuatlas.token-revoked/1``: the agent whose token no longer authenticates."""
    return versioned("token-revoked", {"name": name, "revoked": True})


def tokens_document(store: Store) -> dict[str, Any]:
    """``gpuatlas.tokens/1``: every token's name, scope, dates and whether it is active (the
    tokens themselves are never stored)."""
    return versioned(
        "tokens",
        {
            "tokens": [
                {**dataclasses.asdict(info), "active": info.active} for info in store.list_tokens()
            ]
        },
    )
