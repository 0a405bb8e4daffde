"""The `token` commands: bearer tokens for fleet agents (stored hashed)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer
from rich.table import Table

from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.store_common import (
    JsonOption,
    UrlOption,
    console,
    echo_json,
    opened_store,
    print_outcome,
)
from gpuatlas.errors import InvalidRequestError

token_app = typer.Typer(help="Bearer tokens for fleet agents (stored hashed).",
                        no_args_is_help=True)


@token_app.command("create")
def token_create(name: Annotated[str, typer.Argument(help="The agent's name.")],
                 url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Create an ingest token; it is shown once (the last line of output)."""
    with user_errors(), opened_store(url) as store:
        token = store.create_token(name)
    if as_json:
        echo_json({"name": name, "token": token})
        return
    console.print(f"token for agent {name!r} (shown once; store it now):", highlight=False)
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument()], url: UrlOption = None,
                 as_json: JsonOption = False) -> None:
    """Revoke an agent's token: its pushes get 401 from now on."""
    with user_errors(), opened_store(url) as store:
        revoked = store.revoke_token(name)
        if not revoked:
            raise InvalidRequestError([f"no active token named {name!r}"])
    print_outcome({"name": name, "revoked": True}, as_json, f"revoked token {name!r}")


@token_app.command("list")
def token_list(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Tokens (names and dates; the tokens themselves are not stored)."""
    with user_errors(), opened_store(url) as store:
        infos = store.list_tokens()
    rows = [{**dataclasses.asdict(info), "active": info.active} for info in infos]
    if as_json:
        echo_json({"tokens": rows})
        return
    table = Table("name", "scope", "created", "revoked", "last used")
    for info in infos:
        table.add_row(info.name, info.scope, _when(info.created_at), _when(info.revoked_at),
                      _when(info.last_used_at))
    console.print(table)


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value else "—"
