"""CLI commands of the store area: db, token, agent, serve (thin: parse, call, render).

JSON outputs (`--json`):
- `db init|upgrade --json`: {"url", "backend", "revision_before", "revision", "results",
  "public_data_loaded"}
- `db import --json`: {"files": n, "accepted": [id], "duplicates": [id],
  "quarantined": [{"result_id", "reasons"}]}
- `db export`: JSON Lines, one stored result document per line (with a "store" audit object)
- `db release|quarantine --json`: {"result_id", "quarantined"}
- `db quarantined --json`: {"results": [{"result_id", "gpu_id", "benchmark", "value", "agent",
  "reasons"}]}
- `db status --json`: {"url", "backend", "revision", "results", "quarantined", "tokens"}
- `token create --json`: {"name", "token"}; without --json the token is the last line alone
- `token revoke --json`: {"name", "revoked"}; `token list --json`: {"tokens": [{"name",
  "scope", "created_at", "revoked_at", "last_used_at", "active"}]}
- `agent --json`: one JSON object per cycle {"ran", "skipped", "pushed": {acknowledged,
  accepted, duplicates, quarantined, rejected, conflicts, summarised, attempts, errors,
  rejections}, "pending"}
- `agent status --json`: {"spool", "pending": n, "rejected": [{"file", "reasons"}],
  "raw_kept": [file]}
"""

from __future__ import annotations

import typer

from gpuatlas.cli.store_agent import agent_app, serve_command
from gpuatlas.cli.store_db import db_app
from gpuatlas.cli.store_tokens import token_app


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.add_typer(db_app, name="db")
    app.add_typer(token_app, name="token")
    app.add_typer(agent_app, name="agent")
    app.command("serve")(serve_command)
