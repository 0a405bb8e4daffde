"""`agent status`: what the agent's spool holds (CLI only: the spool is a folder on the agent's
host, never the server's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpuatlas.app.documents import versioned
from gpuatlas.fleet.spool import Spool, default_spool_dir

SCHEMA_ANSWER = "agent-status"


def agent_status_document(spool: Path | None = None) -> dict[str, Any]:
    """``gpuatlas.agent-status/1``: the request (the spool folder asked for, null: the default),
    the spool folder read, how many results wait to be pushed (``pending``), the results the
    server refused for good or that could not be read (``rejected``: file and reasons) and the
    full results kept in ``raw/`` whose pushed copy left out samples (``raw_kept``: files)."""
    queue = Spool(spool or default_spool_dir()).ensure()
    return versioned(
        SCHEMA_ANSWER,
        {
            "request": {"spool": None if spool is None else str(spool)},
            "spool": str(queue.root),
            "pending": len(queue.pending()),
            "rejected": [
                {"file": path.name, "reasons": reasons} for path, reasons in queue.rejected()
            ],
            "raw_kept": sorted(path.name for path in queue.raw_dir.glob("*.json")),
        },
    )
