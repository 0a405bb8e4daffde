"""The `db` commands: create, migrate, import, export, release and inspect the results database."""

from __future__ import annotations

import getpass
import json
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
    expand_result_paths,
    load_import_entries,
    no_result_error,
    opened_store,
    print_outcome,
)
from gpuatlas.cli.terminal import working
from gpuatlas.errors import DataFileError, GpuAtlasError
from gpuatlas.numbers import format_number

db_app = typer.Typer(
    help="The results database: create, migrate, import, export, release.", no_args_is_help=True
)


@db_app.command("init")
def db_init(
    url: UrlOption = None,
    empty: Annotated[bool, typer.Option(help="Do not load the public measured data set.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create the database (or migrate it) and load the public measured data set."""
    _upgrade(url, load_public_data=not empty, as_json=as_json)


@db_app.command("upgrade")
def db_upgrade(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Apply pending migrations."""
    _upgrade(url, load_public_data=False, as_json=as_json)


def _upgrade(url: str | None, load_public_data: bool, as_json: bool) -> None:
    """Migrate the database to the newest schema, optionally load the public data set, report."""
    from gpuatlas.store import open_store
    from gpuatlas.store.migrate import current_revision

    with user_errors(), working("Creating the database and loading the public data set…"):
        store = open_store(url, migrate=False, seed=False)
        before = current_revision(store.engine)
        store.upgrade()
        loaded = _load_public_data(store) if load_public_data else False
        _report_schema(store, before, loaded, as_json)
        store.close()


def _load_public_data(store: Any) -> bool:
    from gpuatlas.store.seed import load_default_data

    return load_default_data(store)


def _report_schema(store: Any, before: str | None, loaded: bool, as_json: bool) -> None:
    from gpuatlas.app.database import db_schema_document

    document = db_schema_document(store, before, loaded)
    if as_json:
        echo_json(document)
        return
    console.print(
        f"database {document['url']} ({store.backend}) at migration "
        f"{document['revision']} (was {before or 'empty'}); "
        f"{document['results']} results" + ("; public data set loaded" if loaded else ""),
        highlight=False,
    )


@db_app.command("import")
def db_import(
    files: Annotated[
        list[Path], typer.Argument(help="Result files, db export files (JSON Lines) or folders.")
    ],
    tool: Annotated[
        str, typer.Option("--from", help="auto | gpuatlas | vllm | guidellm | llama-bench | aiperf")
    ] = "auto",
    agent: Annotated[str | None, typer.Option(help="Record this agent name.")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import result files (gpuatlas.result/1, other tools' outputs, or what `db export` wrote,
    keeping its origin, agent, received_at, quarantine and audit) in one transaction. Every
    problem of every file is reported at once, naming the file; nothing is written then.
    Exit 1 when a result id is stored with other content (a conflict: not stored)."""
    with user_errors():
        paths = expand_result_paths(files)
        entries = _read_import_files(paths, tool)
        restored = {e.result.result_id: e.state for _, e in entries if e.state is not None}
        with opened_store(url) as store:
            outcome = store.add_results(
                [entry.result for _, entry in entries],
                agent=agent,
                origin="import",
                restored=restored,
            )
    if as_json:
        from gpuatlas.app.database import db_import_document

        echo_json(db_import_document(paths, tool, agent, outcome))
    else:
        _print_import(outcome, {entry.result.result_id: path for path, entry in entries})
    if outcome.conflicts:
        raise typer.Exit(1)


def _read_import_files(paths: list[Path], tool: str) -> list[tuple[Path, Any]]:
    """Every result of every file with the file it came from; DataFileError lists every
    problem of every file (unreadable files and bad fields of readable results) at once."""
    from gpuatlas.store.validity import validity_problems

    problems: dict[Path, list[str]] = {}
    entries: list[tuple[Path, Any]] = []
    for path in paths:
        try:
            entries += [(path, entry) for entry in load_import_entries(path, tool)]
        except DataFileError as error:
            problems.setdefault(path, []).extend(error.problems)
        except GpuAtlasError as error:
            problems.setdefault(path, []).append(str(error))
    for path, entry in entries:
        problems.setdefault(path, []).extend(
            f"result {entry.result.result_id!r}: {problem}"
            for problem in validity_problems(entry.result)
        )
    listed = [f"{path}: {problem}" for path, found in problems.items() for problem in found]
    if listed:
        failing = sum(1 for found in problems.values() if found)
        raise DataFileError(f"{failing} of {len(paths)} file(s); nothing was imported", listed)
    return entries


def _print_import(outcome: Any, files: dict[str, Path]) -> None:
    console.print(
        f"{len(outcome.accepted)} imported, {len(outcome.duplicates)} already stored, "
        f"{len(outcome.quarantined)} quarantined"
        + (f", {len(outcome.conflicts)} conflicting (not stored)" if outcome.conflicts else ""),
        highlight=False,
    )
    # the detail lines whole (a file path is never cut to fit: the terminal wraps them)
    for item in outcome.quarantined:
        typer.echo(f"  quarantined {item.result_id}: {'; '.join(item.reasons)}")
    for result_id in outcome.conflicts:
        typer.echo(
            f"  conflict {result_id} ({files.get(result_id, '?')}): this id is stored with "
            "other content; not stored (give the result a new id)"
        )


@db_app.command("export")
def db_export(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default stdout).")
    ] = None,
    include_public: Annotated[bool, typer.Option(help="Also the public data set's rows.")] = False,
    url: UrlOption = None,
) -> None:
    """Export stored results as JSON Lines (samples, fingerprint, settings and audit fields)."""
    with user_errors(), opened_store(url) as store:
        lines = (json.dumps(doc, default=str) for doc in store.export_documents(include_public))
        if output is None:
            for line in lines:
                typer.echo(line)
            return
        with open(output, "w", encoding="utf-8") as handle:
            count = sum(1 for line in lines if handle.write(line + "\n"))
        console.print(f"wrote {count} results to {output}", highlight=False)


AdminOption = Annotated[
    str | None,
    typer.Option("--by", help="Who does this (kept in the result's audit record; default: $USER)."),
]


@db_app.command("release")
def db_release(
    result_id: Annotated[str, typer.Argument(help="A quarantined result's id.")],
    reason: Annotated[
        str | None, typer.Option(help="Why it is admitted (kept in the audit record).")
    ] = None,
    by: AdminOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Admit a quarantined result to comparisons (recorded: who, when, why)."""
    with user_errors(), opened_store(url) as store:
        held = store.is_quarantined(result_id)
        if held is None:
            raise no_result_error(result_id)
        if held:
            store.release(result_id, by=by or _operator(), reason=reason)
    text = (
        f"released {result_id}"
        if held
        else f"{result_id} is not quarantined: nothing to release (no audit record added)"
    )
    print_outcome(_result_state(result_id, False), as_json, text)


@db_app.command("quarantine")
def db_quarantine(
    result_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="Why (kept as an audit note).")],
    by: AdminOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Keep a stored result out of comparisons (recorded: who, when, why)."""
    with user_errors(), opened_store(url) as store:
        if not store.quarantine(result_id, reason, by=by or _operator()):
            raise no_result_error(result_id)
    print_outcome(_result_state(result_id, True), as_json, f"quarantined {result_id}")


def _result_state(result_id: str, quarantined: bool) -> dict[str, Any]:
    from gpuatlas.app.database import result_state_document

    return result_state_document(result_id, quarantined)


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


@db_app.command("quarantined")
def db_quarantined(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """List quarantined results with their reasons."""
    from gpuatlas.app.database import db_quarantined_document

    with user_errors(), opened_store(url) as store:
        document = db_quarantined_document(store)
    rows = document["results"]
    if as_json:
        echo_json(document)
        return
    table = Table("result", "GPU", "benchmark", "value", "agent", "reasons")
    for row in rows:
        table.add_row(
            row["result_id"],
            row["gpu_id"] or "— (none)",
            row["benchmark"],
            format_number(row["value"], significant=4),
            row["agent"] or "—",
            "; ".join(row["reasons"]),
        )
    console.print(table)


@db_app.command("status")
def db_status(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Where the database is and what it holds."""
    from gpuatlas.app.database import db_status_document
    from gpuatlas.store.migrate import current_revision

    with user_errors(), opened_store(url, must_exist=True) as store:
        document = db_status_document(store)
        migration = current_revision(store.engine)
    if as_json:
        echo_json(document)
        return
    labels = {"revision": "data revision (changes with every write)"}
    console.print(f"migration: {migration or 'none'}", highlight=False)
    for key, value in document.items():
        if key != "schema_version":
            console.print(f"{labels.get(key, key)}: {value}", highlight=False)
