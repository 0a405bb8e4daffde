"""The `token` commands: bearer tokens for fleet agents (stored hashed)."""

from __future__ import annotations

from pathlib import Path
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
from gpuatlas.store.tokens import TOKEN_SCOPES, write_private_text

token_app = typer.Typer(
    help="Bearer tokens for fleet agents (stored hashed).", no_args_is_help=True
)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="The agent's name.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the token to this new file (mode 0600) "
            "instead of printing it; give it to the agent with --token-file.",
        ),
    ] = None,
    scope: Annotated[
        str,
        typer.Option(
            help="ingest (agents push results) or admin (release/quarantine over the API)."
        ),
    ] = "ingest",
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a token; it is shown once (the last line of output) or written to --output."""
    from gpuatlas.app.database import token_created_document

    with user_errors():
        if scope not in TOKEN_SCOPES:
            raise InvalidRequestError([f"--scope {scope!r}: use one of {', '.join(TOKEN_SCOPES)}"])
        if output is not None and output.exists():
            raise InvalidRequestError([f"{output} exists; choose a new file"])
        with opened_store(url) as store:
            token = store.create_token(name, scope=scope)
        if output is not None:
            write_private_text(output, token + "\n")
            print_outcome(
                token_created_document(name, scope, token_file=output),
                as_json,
                f"token for {name!r} ({scope}) written to {output} (mode 0600)",
            )
            return
    if as_json:
        echo_json(token_created_document(name, scope, token=token))
        return
    console.print(f"token for agent {name!r} (shown once; store it now):", highlight=False)
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument()], url: UrlOption = None, as_json: JsonOption = False
) -> None:
    """Revoke an agent's token: its pushes get 401 from now on."""
    with user_errors(), opened_store(url) as store:
        revoked = store.revoke_token(name)
        if not revoked:
            raise InvalidRequestError([f"no active token named {name!r}"])
    from gpuatlas.app.database import token_revoked_document

    print_outcome(token_revoked_document(name), as_json, f"revoked token {name!r}")


@token_app.command("list")
def token_list(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Tokens (names and dates; the tokens themselves are not stored)."""
    from gpuatlas.app.database import tokens_document

    with user_errors(), opened_store(url) as store:
        if as_json:
            echo_json(tokens_document(store))
            return
        infos = store.list_tokens()
    table = Table("name", "scope", "created", "revoked", "last used")
    for info in infos:
        table.add_row(
            info.name,
            info.scope,
            _when(info.created_at),
            _when(info.revoked_at),
            _when(info.last_used_at),
        )
    console.print(table)


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value else "—"
