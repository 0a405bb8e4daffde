"""CLI commands of the bench area (thin: parse, call the domain layer, render).

JSON outputs (`--json`):
- `bench list --json`: {"schema_version", "request", "suite", "suite_version", "benchmarks":
  [{id, version, category, title, runner, model, unit, higher_is_better, primary_metric,
  requires_gpu, params}]} (built by gpuatlas.app.suite)
- `bench run --json`: gpuatlas.bench-run/1 {"schema_version", "request", "results": [{result_id,
  benchmark, benchmark_version, benchmark_key, run_identity, valid_for_comparison,
  not_valid_reasons, file, record: <gpuatlas.result/1>}...], "files", "valid_for_comparison",
  "skipped": [{benchmark, reason}]} (built by gpuatlas.app.bench_results)
- `bench show FILE --json`: the result document (gpuatlas.result/1)
- `bench import --json`: gpuatlas.bench-import/1, as `bench run` without "skipped"
- `bench run --max-goodput --json`: gpuatlas.bench-max-goodput/1 (max_goodput_rps, points,
  and each rate's result as in `bench run`)
- `bench host --json`: gpuatlas.bench-host/1 per pass (results as in `bench run`, skipped,
  pushed, pending)
- `bench schema`: the JSON Schema of gpuatlas.result/1

Exit status of `bench run`: 0 when every result is valid for comparison, 2 when nothing ran,
3 when a result was written but is not valid for comparison (no successful request, more than
5 % failed requests, or interrupted).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from gpuatlas.bench.access import EndpointAccess
from gpuatlas.bench.options import DEFAULT_REPEATS, RunOptions
from gpuatlas.choices import checked_choice
from gpuatlas.cli.bench_render import console, render_result
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.store_common import resolve_token
from gpuatlas.errors import InvalidRequestError
from gpuatlas.numbers import format_number
from gpuatlas.records.result import (
    BenchResult,
    dump_result,
    load_result,
    result_json_schema,
    result_to_json,
)
from gpuatlas.settings import TOKEN_FILE

bench_app = typer.Typer(
    help="Run the benchmark suite, show and import result files.", no_args_is_help=True
)
T = TypeVar("T", int, float)
NOT_COMPARABLE_EXIT_CODE = 3  # a run ended but is not valid for comparison (records/validity.py)


@bench_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of result files (gpuatlas.result/1)."""
    typer.echo(json.dumps(result_json_schema(), indent=2))


@bench_app.command("list")
def list_command(
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the benchmarks of the standard suite (v1)."""
    from gpuatlas.app.requests import parse_request
    from gpuatlas.app.suite import BenchListRequest, bench_list_document, chosen_benchmarks

    with user_errors():
        request = parse_request(BenchListRequest, {"category": category})
        chosen = chosen_benchmarks(request)  # an unknown category: error with close matches
    if as_json:
        typer.echo(json.dumps(bench_list_document(request), indent=2))
        return
    table = Table(title="GPU Atlas suite v1")
    for column in ("id", "v", "category", "measures", "unit", "better", "needs"):
        table.add_column(column)
    for b in chosen:
        needs = "GPU" if b.requires_gpu else ("--endpoint" if b.needs_endpoint else "")
        table.add_row(
            b.id,
            str(b.version),
            b.category,
            Text(b.title),  # text, not markup: "FLUX.1 [schnell]" keeps its variant
            b.unit,
            "higher" if b.higher_is_better else "lower",
            needs,
        )
    console.print(table)


class RichReporter:
    """Progress bars with live rates."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[rates]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self.task: Any = None

    def start(self, description: str, total: int | None) -> None:
        self.progress.start()
        self.task = self.progress.add_task(f"{self.label} {description}", total=total, rates="")

    def update(self, completed: int, rates: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=completed, rates=rates)

    def finish(self) -> None:
        self.progress.stop()


PROMPTS_PANEL = "Prompts"  # its own help panel: the long option names fit 80 columns


def _checked_api(api: str | None) -> str | None:
    """The --api value when it is one the load generator speaks (else an error naming them)."""
    from gpuatlas.bench.apis import API_PATHS

    return None if api is None else checked_choice("API", api, API_PATHS)


def _options(**values: Any) -> RunOptions:
    return RunOptions(**{k: v for k, v in values.items() if v is not None})


def _numbers(text: str | None, kind: type[T], option: str, problems: list[str]) -> list[T]:
    """ "16" or "1,8,32" -> numbers; bad items are added to `problems`."""
    values: list[T] = []
    for item in (text or "").split(",") if text is not None else []:
        try:
            values.append(kind(item.strip()))
        except ValueError:
            problems.append(f"{option} {item.strip()!r}: not a number")
    return values


def _overrides(pairs: list[str] | None) -> dict[str, str]:
    overrides, problems = {}, []
    for pair in pairs or []:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            problems.append(f"--param {pair!r}: expected KEY=VALUE")
        overrides[key.strip()] = value.strip()
    if problems:
        raise InvalidRequestError(problems)
    return overrides


def _output_path(output: Path | None, result: BenchResult, several: bool) -> Path | None:
    """Where a result goes: a file named with .json, else a folder (created) of one file per
    result, each named by its benchmark and id (`-o results/` or `-o results` is a folder:
    it was written as a file called results and overwritten by the next run)."""
    if output is None:
        return None
    if several or output.is_dir() or output.suffix.lower() != ".json":
        return output / f"{result.benchmark}-{result.result_id[:8]}.json"
    return output


def _check_result_output(output: Path | None) -> None:
    """Refuse before any work a result file that exists (a result is never overwritten: name
    a new file, or a folder that collects them) or a path an existing file blocks."""
    if output is None or output.is_dir():
        return
    if output.exists():
        raise InvalidRequestError(
            [
                f"--output {output} exists: a result file is never overwritten; name a new "
                "file, or a folder (a name without .json) that collects the results"
            ]
        )


@bench_app.command("run")
def run_command(
    selector: Annotated[str, typer.Argument(help="A benchmark id, a category id, or 'suite'.")],
    endpoint: Annotated[
        str | None, typer.Option(help="Server base URL, e.g. http://host:port")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model name sent to the server / loaded.")
    ] = None,
    api: Annotated[
        str | None,
        typer.Option(help="openai-completions | openai-chat | ollama-generate | ollama-chat"),
    ] = None,
    concurrency: Annotated[
        str | None, typer.Option(help="Requests in flight; a list (1,8,32) sweeps.")
    ] = None,
    rate: Annotated[
        str | None, typer.Option(help="Poisson arrival rate, requests/s; a list (1,5,10) sweeps.")
    ] = None,
    requests: Annotated[int | None, typer.Option(help="Measured requests per repeat.")] = None,
    duration: Annotated[float | None, typer.Option(help="Seconds per repeat.")] = None,
    input_tokens: Annotated[
        int | None, typer.Option(rich_help_panel=PROMPTS_PANEL, help="Input tokens per request.")
    ] = None,
    output_tokens: Annotated[
        int | None, typer.Option(rich_help_panel=PROMPTS_PANEL, help="Output tokens per request.")
    ] = None,
    repeats: Annotated[int, typer.Option()] = DEFAULT_REPEATS,
    warmup: Annotated[
        int | None, typer.Option(help="Warm-up requests (default: concurrency).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Per-request timeout, s.")] = 600.0,
    seed: Annotated[int, typer.Option()] = 0,
    ignore_eos: Annotated[bool, typer.Option(help="Ask the server to ignore EOS.")] = True,
    slo_ttft_ms: Annotated[float | None, typer.Option(help="Goodput SLO on TTFT.")] = None,
    slo_tpot_ms: Annotated[float | None, typer.Option(help="Goodput SLO on TPOT.")] = None,
    slo_e2e_ms: Annotated[float | None, typer.Option(help="Goodput SLO on E2E.")] = None,
    allow_cpu: Annotated[
        bool, typer.Option(help="Run GPU benchmarks on the CPU (testing).")
    ] = False,
    device: Annotated[str | None, typer.Option(help="torch device for in-process runs.")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(  # short metavars: 80 columns fit all names
            metavar="<k=v>",
            help="Override a benchmark parameter, KEY=VALUE (repeatable), e.g. steps=10.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Result file (a folder for several).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    api_key: Annotated[
        str | None, typer.Option(help="Bearer token for the server (default: $OPENAI_API_KEY).")
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(metavar="<header>", help="Extra request header 'Name: value' (repeatable)."),
    ] = None,
    insecure: Annotated[
        bool, typer.Option(help="https: do not check the server's certificate.")
    ] = False,
    ca_cert: Annotated[
        Path | None,
        typer.Option(help="https: trust this CA (PEM file) for the server's certificate."),
    ] = None,
    retries: Annotated[
        int, typer.Option(help="Retries of a failing first request before giving up.")
    ] = 3,
    input_tokens_stddev: Annotated[
        float,
        typer.Option(
            rich_help_panel=PROMPTS_PANEL,
            help="Spread input lengths: normal around --input-tokens with this stddev.",
        ),
    ] = 0.0,
    output_tokens_stddev: Annotated[
        float,
        typer.Option(
            rich_help_panel=PROMPTS_PANEL,
            help="Spread output lengths: normal around --output-tokens with this stddev.",
        ),
    ] = 0.0,
    dataset: Annotated[
        Path | None,
        typer.Option(
            rich_help_panel=PROMPTS_PANEL,
            help="Prompts from a JSONL file (prompt, output_tokens) or ShareGPT-style JSON.",
        ),
    ] = None,
    max_goodput: Annotated[
        bool,
        typer.Option(
            help="Search the highest --rate (from --rate, default 1) at which 95% of requests "
            "meet the --slo-* limits; each rate tried is a result."
        ),
    ] = False,
    tokenizer: Annotated[
        str,
        typer.Option(
            rich_help_panel=PROMPTS_PANEL,
            help="Exact input lengths: auto (the server's tokenize route if any), server, none "
            "(words, approximate) or a tokenizer.json path.",
        ),
    ] = "auto",
) -> None:
    """Run a benchmark, a category or the whole suite; Ctrl-C stops and keeps what ran.

    A run that differs from a suite benchmark's definition (model, lengths, concurrency or
    rate, API) is stored as a custom benchmark with its own id, never under the suite id."""
    from gpuatlas.bench.runner import run_selection, sweep_points
    from gpuatlas.records.suite import select_benchmarks

    with user_errors():
        _check_result_output(output)
        options = _options(
            endpoint=endpoint,
            model=model,
            api=_checked_api(api),
            requests=requests,
            duration_s=duration,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            repeats=repeats,
            warmup_requests=warmup,
            timeout_s=timeout,
            seed=seed,
            ignore_eos=ignore_eos,
            slo_ttft_ms=slo_ttft_ms,
            slo_tpot_ms=slo_tpot_ms,
            slo_e2e_ms=slo_e2e_ms,
            allow_cpu=allow_cpu,
            device=device,
            overrides=_overrides(param),
            first_request_retries=retries,
            tokenizer=tokenizer,
            input_tokens_stddev=input_tokens_stddev,
            output_tokens_stddev=output_tokens_stddev,
            dataset=None if dataset is None else str(dataset),
            access=EndpointAccess.from_options(
                api_key, header, insecure, None if ca_cert is None else str(ca_cert)
            ),
        )
        problems: list[str] = []
        concurrencies = _numbers(concurrency, int, "--concurrency", problems)
        rates = _numbers(rate, float, "--rate", problems)
        if problems:
            raise InvalidRequestError(problems)
        if max_goodput:
            _max_goodput(selector, options, rates, output, as_json)
            return
        points = sweep_points(options, concurrencies, rates)
        several = len(select_benchmarks(selector)) * len(points) > 1
        files: dict[str, str] = {}  # result id -> the file written

        def keep(result: BenchResult) -> None:
            path = _output_path(output, result, several)
            if path is not None:
                files[result.result_id] = str(dump_result(result, path))
            if not as_json:
                render_result(result)

        results, skipped = [], []
        for point in points:
            point_results, point_skipped = run_selection(
                selector, point, RichReporter(selector), keep
            )
            results += point_results
            skipped += point_skipped
            if any(result.interrupted for result in point_results):
                break
    if as_json:
        from gpuatlas.app.bench_results import bench_run_document

        request = {
            "selector": selector,
            "concurrency": concurrencies,
            "rate_rps": rates,
            "output": None if output is None else str(output),
        }
        skipped_items = [asdict(s) for s in skipped]
        typer.echo(json.dumps(bench_run_document(request, results, skipped_items, files), indent=2))
        if any(not result.comparable for result in results):
            raise typer.Exit(code=NOT_COMPARABLE_EXIT_CODE)
        return
    for item in skipped:
        console.print(f"[yellow]skipped[/] {item.benchmark}: {item.reason}", highlight=False)
    for path in files.values():
        console.print(f"wrote {path}", highlight=False)
    if not results:
        console.print("[red]nothing ran[/] (see the reasons above)")
        raise typer.Exit(code=2)
    _exit_if_not_comparable(results)


def _max_goodput(
    selector: str, options: RunOptions, rates: list[float], output: Path | None, as_json: bool
) -> None:
    from gpuatlas.bench.goodput_search import GOOD_FRACTION, search_max_goodput
    from gpuatlas.bench.runner import run_benchmark
    from gpuatlas.records.suite import select_benchmarks

    chosen = select_benchmarks(selector)
    if len(chosen) != 1 or not chosen[0].needs_endpoint:
        raise InvalidRequestError(["--max-goodput searches one LLM benchmark: name one id"])
    start = replace(options, rate_rps=rates[0] if rates else None, repeats=1)
    best, points = search_max_goodput(
        start, lambda point: run_benchmark(chosen[0], point, RichReporter(selector))
    )
    files = {
        p.result.result_id: str(dump_result(p.result, path))
        for p in points
        if (path := _output_path(output, p.result, True)) is not None
    }
    if as_json:
        from gpuatlas.app.bench_results import bench_max_goodput_document

        request = {
            "selector": selector,
            "rate_rps": rates,
            "output": None if output is None else str(output),
        }
        typer.echo(json.dumps(bench_max_goodput_document(request, best, points, files), indent=2))
    else:
        table = Table(title=f"goodput search ({GOOD_FRACTION:.0%} of requests within SLO)")
        for column in ("rate req/s", "within SLO", "meets", "output tok/s"):
            table.add_column(column, justify="right")
        for p in points:
            table.add_row(
                format_number(p.rate_rps),
                f"{p.good_fraction:.0%}",
                "yes" if p.meets else "no",
                format_number(p.result.headline.value),
            )
        console.print(table)
        console.print(
            f"max goodput rate: {format_number(best.rate_rps, 'req/s')}"
            if best
            else "no rate met the SLOs",
            highlight=False,
        )
    if best is None:
        raise typer.Exit(code=NOT_COMPARABLE_EXIT_CODE)


def _exit_if_not_comparable(results: list[BenchResult]) -> None:
    """Status 3 when a result is not valid for comparison (kept in its file all the same)."""
    invalid = [result for result in results if not result.comparable]
    for result in invalid:
        console.print(
            f"[red]not valid for comparison[/] {result.benchmark}: "
            + "; ".join(result.not_comparable_reasons),
            highlight=False,
        )
    if invalid:
        raise typer.Exit(code=NOT_COMPARABLE_EXIT_CODE)


@bench_app.command("show")
def show_command(
    file: Annotated[Path, typer.Argument(help="A result file (gpuatlas.result/1).")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Render a result file."""
    with user_errors():
        result = load_result(file)
    if as_json:
        typer.echo(result_to_json(result))
        return
    render_result(result)


@bench_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Another tool's output file.")],
    tool: Annotated[
        str, typer.Option("--from", help="auto | vllm | guidellm | llama-bench | aiperf")
    ] = "auto",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Result file (a folder when the file holds several runs)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    gpu: Annotated[
        str | None,
        typer.Option(
            help="The GPU the server ran on (catalog id or name); llama-bench files name it."
        ),
    ] = None,
    gpu_count: Annotated[int, typer.Option(help="How many of --gpu served.")] = 1,
) -> None:
    """Convert vllm bench serve / GuideLLM / llama-bench / AIPerf output into result files.
    Without --gpu an imported result has no GPU (unless its file names one) and reaches no
    comparison."""
    from gpuatlas.bench.importers import import_file, with_gpu

    with user_errors():
        _check_result_output(output)
        results = import_file(file, tool)
        if gpu is not None:
            results = with_gpu(results, gpu, gpu_count)
        several = len(results) > 1
        targets = [(r, _output_path(output, r, several)) for r in results]
        written = {
            r.result_id: str(dump_result(r, target)) for r, target in targets if target is not None
        }
    if as_json:
        from gpuatlas.app.bench_results import bench_import_document

        request = {
            "file": str(file),
            "tool": tool,
            "gpu": gpu,
            "gpu_count": gpu_count,
            "output": None if output is None else str(output),
        }
        typer.echo(json.dumps(bench_import_document(request, results, written), indent=2))
        return
    for result in results:
        render_result(result)
    for file_name in written.values():
        console.print(f"wrote {file_name}", highlight=False)


@bench_app.command("host")
def host_command(
    config: Annotated[
        Path,
        typer.Option(
            "--config", "--host-config", help="Host config (TOML): engines, GPUs, model files."
        ),
    ],
    spool: Annotated[
        Path | None, typer.Option(help="Spool folder (default: the agent's user data dir).")
    ] = None,
    server: Annotated[
        str | None, typer.Option(help="GPU Atlas server to push to (omit: results stay spooled).")
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file", envvar=TOKEN_FILE.variable, help="The agent's bearer token file."
        ),
    ] = None,
    loop: Annotated[bool, typer.Option(help="Run again on the config's schedule.")] = False,
    logs: Annotated[Path | None, typer.Option(help="Engine logs (default: <spool>/logs).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Run the suite unattended on this host: start each benchmark's engine (llama.cpp server,
    vLLM, SGLang, Ollama: whichever the config lists and is installed) with the model from the
    local cache, wait until it is ready, run, stop it, spool the result and push it. A
    benchmark whose engine or model is missing is listed with the reason."""
    from gpuatlas.bench.host_runner import HostRun, load_host_config
    from gpuatlas.fleet.agent import Pusher, parse_interval_s
    from gpuatlas.fleet.spool import Spool, default_spool_dir

    with user_errors():
        host = load_host_config(config)
        queue = Spool(spool or default_spool_dir()).ensure()
        request = {"config": str(config), "spool": str(queue.root), "server": server, "loop": loop}
        pusher = None
        if server:
            pusher = Pusher(server, resolve_token(None, token_file), queue)
        while True:
            run = HostRun(host, logs or queue.root / "logs")
            run.run(queue.put)
            pushed = pusher.push_all(max_attempts=None if loop else 3) if pusher else None
            _host_report(request, run, pushed, len(queue.pending()), as_json)
            if not loop:
                break
            time.sleep(parse_interval_s(host.schedule))
    if run.skipped or not run.results:
        raise typer.Exit(code=2 if not run.results else 1)


def _host_report(
    request: dict[str, Any], run: Any, pushed: Any, pending: int, as_json: bool
) -> None:
    acknowledged = pushed.acknowledged if pushed else 0
    if as_json:
        from gpuatlas.app.bench_results import bench_host_document

        skipped = [asdict(s) for s in run.skipped]
        document = bench_host_document(request, run.results, skipped, acknowledged, pending)
        typer.echo(json.dumps(document, indent=2))
        return
    for result in run.results:
        console.print(
            f"ran {result.benchmark}: {result.headline.metric} = "
            f"{result.headline.value} {result.headline.unit}",
            highlight=False,
        )
    for item in run.skipped:
        console.print(f"[yellow]not run[/] {item.benchmark}: {item.reason}", highlight=False)
    console.print(f"{acknowledged} pushed, {pending} spooled", highlight=False)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.add_typer(bench_app, name="bench")


def main() -> None:
    """The bench commands alone, without importing the other areas (a lighter client for
    fleet machines): `python -m gpuatlas.cli.bench_commands run ...`."""
    bench_app(prog_name="gpuatlas bench")


if __name__ == "__main__":
    main()
