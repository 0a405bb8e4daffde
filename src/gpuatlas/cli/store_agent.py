"""The `agent` command (run the suite here, push results to a server) and `serve` (the web app)."""

from __future__ import annotations

import dataclasses
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
    expand_result_paths,
    load_any_result,
)


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
        results = [load_any_result(path, "auto") for path in expand_result_paths(push)]
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
