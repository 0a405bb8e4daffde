"""The `agent` command (run the suite here, push results to a server) and `serve` (the web app)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.store_common import (
    JsonOption,
    UrlOption,
    console,
    echo_json,
    expand_result_paths,
    load_any_results,
    resolve_token,
)
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.settings import AGENT_TOKEN, TOKEN, TOKEN_FILE

agent_app = typer.Typer(
    help="Run the suite here and push results to a GPU Atlas server; `agent status` shows "
    "the spool.",
    invoke_without_command=True,
)

TokenFileOption = Annotated[
    Path | None,
    typer.Option(
        "--token-file",
        envvar=TOKEN_FILE.variable,
        help="Read the bearer token from this file (keep it 0600; or $GPUATLAS_TOKEN_FILE).",
    ),
]

# failed pushes in a row after which `agent --once` gives up (its results stay spooled):
# with no limit a server that is down kept --once waiting for ever
ONCE_MAX_ATTEMPTS = 3


@agent_app.callback()
def agent_command(
    context: typer.Context,
    server: Annotated[
        str | None, typer.Option(help="GPU Atlas server URL, e.g. https://atlas.example.org")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar=[TOKEN.variable, AGENT_TOKEN.variable],
            help="Bearer token. Prefer $GPUATLAS_TOKEN or --token-file: a token on the command "
            "line is visible to every user of the machine (ps).",
        ),
    ] = None,
    token_file: TokenFileOption = None,
    every: Annotated[str, typer.Option(help="Run the suite this often (24h, 30m, ...).")] = "24h",
    spool: Annotated[
        Path | None, typer.Option(help="Spool folder (default: user data dir).")
    ] = None,
    once: Annotated[bool, typer.Option(help="One cycle, then exit.")] = False,
    push: Annotated[
        list[Path] | None,
        typer.Option(help="Push these result files (or folders) instead of running the suite."),
    ] = None,
    flush: Annotated[
        bool, typer.Option(help="Only push what is already spooled (run nothing), then exit.")
    ] = False,
    suite: Annotated[
        str, typer.Option(help="What to run: 'suite', a category or a benchmark.")
    ] = "suite",
    endpoint: Annotated[
        str | None, typer.Option(help="Inference server for LLM benchmarks.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name the server serves.")] = None,
    allow_cpu: Annotated[
        bool, typer.Option(help="Run GPU benchmarks on the CPU (testing).")
    ] = False,
    max_attempts: Annotated[
        int | None,
        typer.Option(
            help="With --once: give up after this many failed pushes in a row (results stay "
            f"spooled); default {ONCE_MAX_ATTEMPTS}."
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Results per request.")] = 50,
    host_config: Annotated[
        Path | None,
        typer.Option(
            help="Host config (TOML): start each suite benchmark's engine here, run it, stop it "
            "(the same as `gpuatlas bench host --config FILE`)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run the suite on this machine and push the results to a GPU Atlas server.

    Results are spooled to disk first and removed only when the server acknowledges them, so
    outages, restarts and kills lose nothing and duplicate nothing. Results the server
    refuses for good move to the spool's rejected/ folder (see `gpuatlas agent status`)."""
    if context.invoked_subcommand is not None:
        return
    if host_config is not None:  # unattended host runs: engines started and stopped per benchmark
        from gpuatlas.cli.bench_commands import host_command

        host_command(
            config=host_config,
            spool=spool,
            server=server,
            token_file=token_file,
            loop=not once,
            logs=None,
            as_json=as_json,
        )
        return
    from gpuatlas.fleet.agent import Pusher, parse_interval_s, server_base_url
    from gpuatlas.fleet.spool import Spool, default_spool_dir

    with user_errors():
        if not server:
            raise InvalidRequestError(["--server is required (the GPU Atlas server's URL)"])
        server = server_base_url(server)
        secret = resolve_token(token, token_file)
        interval_s = parse_interval_s(every)
        queue = Spool(spool or default_spool_dir()).ensure()
        pusher = Pusher(server, secret, queue, batch_size=batch_size)
        request = {
            "server": server,
            "spool": str(queue.root),
            "suite": None if push or flush else suite,
            "push": [str(path) for path in push or []],
            "flush": flush,
            "once": once,
        }
        while True:
            ran, skipped, set_aside = (
                (0, [], [])
                if flush
                else _fill_spool(queue, push, suite, endpoint, model, allow_cpu)
            )
            one_cycle = once or bool(push) or flush  # a server down never hangs these
            attempts = max_attempts or ONCE_MAX_ATTEMPTS
            report = pusher.push_all(max_attempts=attempts if one_cycle else None)
            report.rejected += len(set_aside)
            report.rejections[:0] = set_aside
            _report_cycle(request, ran, skipped, report, len(queue.pending()), as_json)
            if once or push or flush:
                if queue.pending() or report.rejected:  # rejected: kept in rejected/, named
                    raise typer.Exit(code=1)
                return
            time.sleep(interval_s)


@agent_app.command("status")
def agent_status(
    spool: Annotated[
        Path | None, typer.Option(help="Spool folder (default: user data dir).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """What the spool holds: results waiting to be pushed, and rejected ones with the reason."""
    from gpuatlas.app.agent_status import agent_status_document

    document = agent_status_document(spool)
    if as_json:
        echo_json(document)
        return
    console.print(
        f"spool {document['spool']}: {document['pending']} pending, "
        f"{len(document['rejected'])} rejected, "
        f"{len(document['raw_kept'])} full results kept in raw/",
        highlight=False,
    )
    for item in document["rejected"]:
        console.print(f"  rejected {item['file']}: {'; '.join(item['reasons'])}", highlight=False)


def _fill_spool(
    queue: Any,
    push: list[Path] | None,
    suite: str,
    endpoint: str | None,
    model: str | None,
    allow_cpu: bool,
) -> tuple[int, list[str], list[str]]:
    """Spool what this cycle pushes: how many results, the benchmarks skipped, and the files
    set aside (a --push file that is no result: copied to rejected/ with its reason; the
    valid ones are pushed all the same)."""
    if push:
        return _spool_files(queue, expand_result_paths(push))
    from gpuatlas.bench.options import RunOptions
    from gpuatlas.fleet.agent import SuiteRun

    options = RunOptions(endpoint=endpoint, model=model, allow_cpu=allow_cpu)
    ran, skipped = SuiteRun(suite, options).run_into(queue)
    return ran, skipped, []


def _spool_files(queue: Any, paths: list[Path]) -> tuple[int, list[str], list[str]]:
    count, set_aside = 0, []
    for path in paths:
        try:
            results = load_any_results(path, "auto")
        except GpuAtlasError as error:
            problems = list(getattr(error, "problems", None) or [str(error)])
            target = queue.reject_copy(path, [f"{path}: {problem}" for problem in problems])
            set_aside.append(f"{target.name} ({path}): {'; '.join(problems)[:300]}")
            continue
        for result in results:
            queue.put(result)
        count += len(results)
    return count, [], set_aside


def _report_cycle(
    request: dict[str, Any], ran: int, skipped: list[str], report: Any, pending: int, as_json: bool
) -> None:
    if as_json:
        from gpuatlas.app.bench_results import agent_cycle_document

        typer.echo(json.dumps(agent_cycle_document(request, ran, skipped, report, pending)))
        return
    console.print(
        f"ran {ran}; pushed {report.acknowledged} acknowledged "
        f"({report.accepted} new, {report.duplicates} already stored, "
        f"{report.quarantined} quarantined); {report.rejected} rejected "
        f"({report.conflicts} conflicts); {pending} still spooled",
        highlight=False,
    )
    for line in skipped + [f"rejected {item}" for item in report.rejections] + report.errors[-3:]:
        console.print(f"  {line}", highlight=False)


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (use PostgreSQL for > 1 writer-heavy fleets).")
    ] = 1,
    url: UrlOption = None,
    ssl_certfile: Annotated[
        Path | None,
        typer.Option(help="Serve HTTPS with this certificate (PEM; with --ssl-keyfile)."),
    ] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option(help="The certificate's private key (PEM).")
    ] = None,
) -> None:
    """Serve the web app and the ingest API (FastAPI + uvicorn).

    On an address other than loopback, serve HTTPS (--ssl-certfile/--ssl-keyfile) or put a
    TLS-terminating reverse proxy in front: agents send bearer tokens."""
    from gpuatlas.web.server import serve, transport_warning

    with user_errors():
        if (ssl_certfile is None) != (ssl_keyfile is None):
            raise InvalidRequestError(["--ssl-certfile and --ssl-keyfile go together"])
        warning = transport_warning(host, ssl_certfile is not None)
        if warning:
            console.print(warning, highlight=False, style="yellow")
        serve(host, port, workers, url, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
