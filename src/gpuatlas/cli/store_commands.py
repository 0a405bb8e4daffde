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
  accepted, duplicates, quarantined, rejected, attempts, errors}, "pending"}
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from gpuatlas.cli.errors import user_errors
from gpuatlas.errors import GpuAtlasError, InvalidRequestError

console = Console()
db_app = typer.Typer(help="The results database: create, migrate, import, export, release.",
                     no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens for fleet agents (stored hashed).",
                        no_args_is_help=True)

UrlOption = Annotated[str | None, typer.Option(
    "--url", help="Database URL (default: $GPUATLAS_DATABASE_URL, else the embedded SQLite).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _echo_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, default=str))


@contextmanager
def _opened(url: str | None, seed: bool | None = None) -> Iterator[Any]:
    from gpuatlas.store import open_store

    store = open_store(url, seed=seed)
    try:
        yield store
    finally:
        store.close()


@db_app.command("init")
def db_init(url: UrlOption = None, empty: Annotated[bool, typer.Option(
        help="Do not load the public measured data set.")] = False,
            as_json: JsonOption = False) -> None:
    """Create the database (or migrate it) and load the public measured data set."""
    from gpuatlas.store import open_store
    from gpuatlas.store.migrate import current_revision
    from gpuatlas.store.seed import load_default_data

    with user_errors():
        store = open_store(url, migrate=False, seed=False)
        before = current_revision(store.engine)
        store.upgrade()
        loaded = False if empty else load_default_data(store)
        _report_schema(store, before, loaded, as_json)
        store.close()


@db_app.command("upgrade")
def db_upgrade(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Apply pending migrations."""
    from gpuatlas.store import open_store
    from gpuatlas.store.migrate import current_revision

    with user_errors():
        store = open_store(url, migrate=False, seed=False)
        before = current_revision(store.engine)
        store.upgrade()
        _report_schema(store, before, False, as_json)
        store.close()


def _report_schema(store: Any, before: str | None, loaded: bool, as_json: bool) -> None:
    from gpuatlas.store.migrate import current_revision

    document = {"url": _safe_url(store.url), "backend": store.backend,
                "revision_before": before, "revision": current_revision(store.engine),
                "results": store.count_results(), "public_data_loaded": loaded}
    if as_json:
        _echo_json(document)
        return
    console.print(f"database {document['url']} ({store.backend}) at migration "
                  f"{document['revision']} (was {before or 'empty'}); "
                  f"{document['results']} results"
                  + ("; public data set loaded" if loaded else ""), highlight=False)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _load_any(path: Path, tool: str) -> Any:
    from gpuatlas.bench.result import load_result

    if tool == "gpuatlas":
        return load_result(path)
    try:
        return load_result(path)
    except GpuAtlasError as native_error:
        try:
            from gpuatlas.bench.importers import import_file
        except ImportError:
            raise native_error from None
        try:
            return import_file(path, tool)
        except GpuAtlasError:
            raise native_error from None


def _expand(files: list[Path]) -> list[Path]:
    expanded: list[Path] = []
    for path in files:
        expanded += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return expanded


@db_app.command("import")
def db_import(
    files: Annotated[list[Path], typer.Argument(help="Result files or folders of them.")],
    tool: Annotated[str, typer.Option("--from", help="auto | gpuatlas | vllm | guidellm | "
                                      "llama-bench | aiperf")] = "auto",
    agent: Annotated[str | None, typer.Option(help="Record this agent name.")] = None,
    url: UrlOption = None, as_json: JsonOption = False,
) -> None:
    """Import result files (gpuatlas.result/1, or other tools' outputs) in one transaction."""
    with user_errors():
        paths = _expand(files)
        problems, results = [], []
        for path in paths:
            try:
                results.append(_load_any(path, tool))
            except GpuAtlasError as error:
                problems.append(str(error))
        if problems:
            raise InvalidRequestError(problems)
        with _opened(url) as store:
            outcome = store.add_results(results, agent=agent, origin="import")
    document = {"files": len(paths), "accepted": list(outcome.accepted),
                "duplicates": list(outcome.duplicates),
                "quarantined": [dataclasses.asdict(q) for q in outcome.quarantined]}
    if as_json:
        _echo_json(document)
        return
    console.print(f"{len(outcome.accepted)} imported, {len(outcome.duplicates)} already stored, "
                  f"{len(outcome.quarantined)} quarantined", highlight=False)
    for item in outcome.quarantined:
        console.print(f"  quarantined {item.result_id}: {'; '.join(item.reasons)}",
                      highlight=False)


@db_app.command("export")
def db_export(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File (default stdout).")
                      ] = None,
    include_public: Annotated[bool, typer.Option(help="Also the public data set's rows.")
                              ] = False,
    url: UrlOption = None,
) -> None:
    """Export stored results as JSON Lines (samples, fingerprint, settings and audit fields)."""
    with user_errors(), _opened(url) as store:
        lines = (json.dumps(doc, default=str) for doc in store.export_documents(include_public))
        if output is None:
            for line in lines:
                typer.echo(line)
            return
        with open(output, "w", encoding="utf-8") as handle:
            count = sum(1 for line in lines if handle.write(line + "\n"))
        console.print(f"wrote {count} results to {output}", highlight=False)


@db_app.command("release")
def db_release(result_id: Annotated[str, typer.Argument(help="A quarantined result's id.")],
               url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Admit a quarantined result to comparisons."""
    with user_errors(), _opened(url) as store:
        if not store.release(result_id):
            raise InvalidRequestError([f"no stored result with id {result_id!r}"])
    if as_json:
        _echo_json({"result_id": result_id, "quarantined": False})
        return
    console.print(f"released {result_id}", highlight=False)


@db_app.command("quarantine")
def db_quarantine(result_id: Annotated[str, typer.Argument()],
                  reason: Annotated[str, typer.Option(help="Why (kept as an audit note).")],
                  url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Keep a stored result out of comparisons."""
    with user_errors(), _opened(url) as store:
        if not store.quarantine(result_id, reason):
            raise InvalidRequestError([f"no stored result with id {result_id!r}"])
    if as_json:
        _echo_json({"result_id": result_id, "quarantined": True})
        return
    console.print(f"quarantined {result_id}", highlight=False)


@db_app.command("quarantined")
def db_quarantined(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """List quarantined results with their reasons."""
    with user_errors(), _opened(url) as store:
        summaries = store.result_summaries(quarantined=True, limit=1000)
    rows = [{"result_id": s.result_id, "gpu_id": s.gpu_id, "benchmark": s.benchmark,
             "value": s.value, "agent": s.agent, "reasons": list(s.quarantine_reasons)}
            for s in summaries]
    if as_json:
        _echo_json({"results": rows})
        return
    table = Table("result", "GPU", "benchmark", "value", "agent", "reasons")
    for row in rows:
        table.add_row(row["result_id"], str(row["gpu_id"]), row["benchmark"], str(row["value"]),
                      str(row["agent"]), "; ".join(row["reasons"]))
    console.print(table)


@db_app.command("status")
def db_status(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Where the database is and what it holds."""
    with user_errors(), _opened(url) as store:
        document = {"url": _safe_url(store.url), "backend": store.backend,
                    "revision": store.revision(), "results": store.count_results(),
                    "quarantined": store.count_results(quarantined=True),
                    "tokens": len([t for t in store.list_tokens() if t.active])}
    if as_json:
        _echo_json(document)
        return
    for key, value in document.items():
        console.print(f"{key}: {value}", highlight=False)


@token_app.command("create")
def token_create(name: Annotated[str, typer.Argument(help="The agent's name.")],
                 url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Create an ingest token; it is shown once (the last line of output)."""
    with user_errors(), _opened(url) as store:
        token = store.create_token(name)
    if as_json:
        _echo_json({"name": name, "token": token})
        return
    console.print(f"token for agent {name!r} (shown once; store it now):", highlight=False)
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument()], url: UrlOption = None,
                 as_json: JsonOption = False) -> None:
    """Revoke an agent's token: its pushes get 401 from now on."""
    with user_errors(), _opened(url) as store:
        revoked = store.revoke_token(name)
        if not revoked:
            raise InvalidRequestError([f"no active token named {name!r}"])
    if as_json:
        _echo_json({"name": name, "revoked": True})
        return
    console.print(f"revoked token {name!r}", highlight=False)


@token_app.command("list")
def token_list(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Tokens (names and dates; the tokens themselves are not stored)."""
    with user_errors(), _opened(url) as store:
        infos = store.list_tokens()
    rows = [{**dataclasses.asdict(info), "active": info.active} for info in infos]
    if as_json:
        _echo_json({"tokens": rows})
        return
    table = Table("name", "scope", "created", "revoked", "last used")
    for info in infos:
        table.add_row(info.name, info.scope, _when(info.created_at), _when(info.revoked_at),
                      _when(info.last_used_at))
    console.print(table)


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value else "—"


def agent_command(
    server: Annotated[str, typer.Option(help="GPU Atlas server URL, e.g. http://atlas:8000")],
    token: Annotated[str, typer.Option(envvar="GPUATLAS_AGENT_TOKEN",
                                       help="Bearer token (or $GPUATLAS_AGENT_TOKEN).")],
    every: Annotated[str, typer.Option(help="Run the suite this often (24h, 30m, ...).")
                     ] = "24h",
    spool: Annotated[Path | None, typer.Option(help="Spool folder (default: user data dir).")
                     ] = None,
    once: Annotated[bool, typer.Option(help="One cycle, then exit.")] = False,
    push: Annotated[list[Path] | None, typer.Option(
        help="Push these result files (or folders) instead of running the suite.")] = None,
    flush: Annotated[bool, typer.Option(
        help="Only push what is already spooled (run nothing), then exit.")] = False,
    suite: Annotated[str, typer.Option(help="What to run: 'suite', a category or a benchmark.")
                     ] = "suite",
    endpoint: Annotated[str | None, typer.Option(help="Inference server for LLM benchmarks.")
                        ] = None,
    model: Annotated[str | None, typer.Option(help="Model name the server serves.")] = None,
    allow_cpu: Annotated[bool, typer.Option(help="Run GPU benchmarks on the CPU (testing).")
                         ] = False,
    max_attempts: Annotated[int | None, typer.Option(
        help="With --once: give up after this many failed pushes in a row (results stay "
             "spooled).")] = None,
    batch_size: Annotated[int, typer.Option(help="Results per request.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Run the suite on this machine and push the results to a GPU Atlas server.

    Results are spooled to disk first and removed only when the server acknowledges them, so
    outages, restarts and kills lose nothing and duplicate nothing."""
    from gpuatlas.web.agent import Pusher, parse_interval_s
    from gpuatlas.web.spool import Spool, default_spool_dir

    with user_errors():
        interval_s = parse_interval_s(every)
        queue = Spool(spool or default_spool_dir()).ensure()
        pusher = Pusher(server, token, queue, batch_size=batch_size)
        while True:
            ran, skipped = (0, []) if flush else _fill_spool(queue, push, suite, endpoint, model,
                                                               allow_cpu)
            report = pusher.push_all(max_attempts=max_attempts if once else None)
            _report_cycle(ran, skipped, report, len(queue.pending()), as_json)
            if once or push or flush:
                if queue.pending():
                    raise typer.Exit(code=1)
                return
            time.sleep(interval_s)


def _fill_spool(queue: Any, push: list[Path] | None, suite: str, endpoint: str | None,
                model: str | None, allow_cpu: bool) -> tuple[int, list[str]]:
    if push:
        results = [_load_any(path, "auto") for path in _expand(push)]
        for result in results:
            queue.put(result)
        return len(results), []
    from gpuatlas.bench.options import RunOptions
    from gpuatlas.web.agent import SuiteRun

    options = RunOptions(endpoint=endpoint, model=model, allow_cpu=allow_cpu)
    return SuiteRun(suite, options).run_into(queue)


def _report_cycle(ran: int, skipped: list[str], report: Any, pending: int,
                  as_json: bool) -> None:
    document = {"ran": ran, "skipped": skipped, "pushed": dataclasses.asdict(report),
                "pending": pending}
    if as_json:
        typer.echo(json.dumps(document))
        return
    console.print(f"ran {ran}; pushed {report.acknowledged} acknowledged "
                  f"({report.accepted} new, {report.duplicates} already stored, "
                  f"{report.quarantined} quarantined, {report.rejected} rejected); "
                  f"{pending} still spooled", highlight=False)
    for line in skipped + report.errors[-3:]:
        console.print(f"  {line}", highlight=False)


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use PostgreSQL for > 1 "
                                         "writer-heavy fleets).")] = 1,
    url: UrlOption = None,
) -> None:
    """Serve the web app and the ingest API (FastAPI + uvicorn)."""
    from gpuatlas.web.server import serve

    with user_errors():
        serve(host, port, workers, url)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.add_typer(db_app, name="db")
    app.add_typer(token_app, name="token")
    app.command("agent")(agent_command)
    app.command("serve")(serve_command)
