"""CLI commands of the report area (thin: parse, call the domain layer, render)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from gpuatlas.app.requests import HOST_RAM_HELP, NUM_CTX_HELP
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.output_files import check_output, write_output
from gpuatlas.cli.terminal import FittingConsole, make_console, terminal_width, working
from gpuatlas.report.option_defaults import (  # the answer's request model reads them too
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_ELECTRICITY_USD_PER_KWH,
    DEFAULT_PUE,
    SERVING_OUTPUT_TOKENS,
)

if TYPE_CHECKING:
    from gpuatlas.report.document import Comparison


class ReportFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


def compare(
    a: str = typer.Argument(..., help="GPU or system A, e.g. a100-80gb-sxm or '4x rtx-4090'."),
    b: str = typer.Argument(..., help="GPU or system B."),
    output_format: ReportFormat = typer.Option(
        ReportFormat.text, "--format", "-f", help="text, markdown, html or json."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    model: str | None = typer.Option(None, "--model", help="Workload focus model (llama-3.1-8b)."),
    weights: str | None = typer.Option(
        None,
        "--weights",
        "-w",
        help="Weight format (fp16, Q4_K_M…); auto (the default): the "
        "checkpoint's own (quantization_config, name, Ollama tag).",
    ),
    context_tokens: int = typer.Option(
        DEFAULT_CONTEXT_TOKENS, "--context", help="Context length in tokens (at least 256)."
    ),
    provider: str | None = typer.Option(None, "--provider", help="Price from this provider."),
    electricity_usd_per_kwh: float = typer.Option(
        DEFAULT_ELECTRICITY_USD_PER_KWH,
        "--electricity-price",
        help="USD per kWh for on-prem costs.",
    ),
    pue: float = typer.Option(DEFAULT_PUE, "--pue", help="Power usage effectiveness (>= 1)."),
    engine: str | None = typer.Option(
        None,
        "--engine",
        "-e",
        help="LLM engine for both sides (default: each platform's usual one).",
    ),
    num_ctx: int | None = typer.Option(
        None, "--num-ctx", help=f"{NUM_CTX_HELP} Applies to the sides that run them."
    ),
    host_ram_gb: float | None = typer.Option(
        None, "--host-ram-gb", help=f"{HOST_RAM_HELP} Both sides' machines."
    ),
    mean_output_tokens: float | None = typer.Option(
        None,
        "--mean-output-tokens",
        help=f"Requests that stop at end-of-sequence before the report's {SERVING_OUTPUT_TOKENS} "
        "output tokens (a client without --ignore-eos): the tokens each generates on average. "
        "Default: all of them.",
    ),
    training_method: str | None = typer.Option(
        None,
        "--method",
        help="Fine-tuning method timed on both sides: full, lora or qlora (default: the most "
        "complete that fits both).",
    ),
) -> None:
    """Compare two GPUs or systems: the full report (hardware, fit, speed, cost, measured)."""
    from gpuatlas.report.comparison_cache import cached_comparison

    options = {
        "model": model,
        "weights": weights,
        "context_tokens": context_tokens,
        "provider": provider,
        "electricity_usd_per_kwh": electricity_usd_per_kwh,
        "pue": pue,
        "engine": engine,
        "num_ctx": num_ctx,
        "host_ram_gb": host_ram_gb,
        "training_method": training_method,
        "mean_output_tokens": mean_output_tokens,
    }
    with user_errors(), working(f"Building the comparison {a} vs {b}…"):
        check_output(output)  # before the report is built, not after it
        comparison = cached_comparison(a, b, options, lambda: _build_comparison(a, b, options))
        chosen = ReportFormat.json if as_json else output_format
        _emit(comparison, chosen, output)
    _exit_on_failed_sections(comparison)


SECTION_FAILED = 1  # the exit status when a defect left a section out (the rest is written)


def _exit_on_failed_sections(comparison: object) -> None:
    from gpuatlas.report import Comparison
    from gpuatlas.report.comparison_cache import failed_sections

    assert isinstance(comparison, Comparison)
    failed = failed_sections(comparison)
    if failed:
        sys.stderr.write(
            f"error: {len(failed)} section(s) could not be computed ({', '.join(failed)}); "
            "the rest of the report is written: please report this as a bug\n"
        )
        raise typer.Exit(SECTION_FAILED)


def _build_comparison(a: str, b: str, options: dict[str, Any]) -> Comparison:
    """The comparison from the answer layer (request checked, then built)."""
    from gpuatlas.app.compare import ComparisonRequest, comparison
    from gpuatlas.app.requests import parse_request

    return comparison(parse_request(ComparisonRequest, {"a": a, "b": b, **options}))


def report_console() -> Console:
    """The report's console: `COLUMNS` when set (also when piped), else the terminal's width
    up to 120, else 100 when piped."""
    width = terminal_width()
    if width is None:
        probe = Console()
        width = min(probe.width, 120) if probe.is_terminal else 100
    return make_console() if width == terminal_width() else FittingConsole(width=width)


def _emit(comparison: object, output_format: ReportFormat, output: Path | None) -> None:
    from gpuatlas.report import Comparison, render_html, render_json, render_markdown
    from gpuatlas.report.render_text import render_renderables, render_text

    assert isinstance(comparison, Comparison)
    if output is None and output_format is ReportFormat.text:
        console = report_console()
        head, *body = render_renderables(comparison)
        sides = (comparison.a, comparison.b)
        # what a name was read as (the 192 GB M2 Ultra, the SXM A100) under the title, before
        # the figures that depend on it, as the Markdown and HTML reports put it
        notes = [f"note: {note}" for side in sides for note in side.assumptions]
        renderables = [head, *notes, *body]
        if console.is_terminal:  # a long report pages in a terminal (less -R keeps colours)
            with console.pager(styles=True):
                for renderable in renderables:
                    console.print(renderable)
            return
        for renderable in renderables:
            console.print(renderable)
        return
    renderers = {
        ReportFormat.text: render_text,
        ReportFormat.markdown: render_markdown,
        ReportFormat.html: render_html,
        ReportFormat.json: render_json,
    }
    text = renderers[output_format](comparison)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_output(output, text)
    Console(stderr=True).print(f"wrote {output_format.value} report to {output}")


def leaderboard(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Atlas Scores (RTX 3090 = 100) with 95% intervals and coverage, best first."""
    from gpuatlas.compare import default_score_method
    from gpuatlas.report.scores import leaderboard as compute_leaderboard

    if as_json:  # the document of the answer layer, as /leaderboard.json returns it
        from gpuatlas.app.leaderboard import leaderboard_document

        with user_errors():
            typer.echo(json.dumps(leaderboard_document(), indent=2))
        return
    with user_errors():
        rows = compute_leaderboard()
        method = default_score_method()
    from gpuatlas.report.scores import MIN_RANKED_BENCHMARKS

    table = Table(
        title=(
            f"Atlas Score ({method.reference_gpu} = {method.reference_value:g}, {method.version})"
        ),
        caption="Benchmarks: how many of the scored benchmarks a system has results on; "
        f"systems scored on fewer than {MIN_RANKED_BENCHMARKS} are listed after the ranked "
        "ones, unranked (—).",
    )
    for column in ("#", "System", "Score", "95% interval", "Benchmarks"):
        table.add_column(column, justify="right" if column in ("#", "Score") else "left")
    for r in rows:
        interval = (
            f"{r.score.low:.0f}–{r.score.high:.0f}"
            if r.score.low is not None and r.score.high is not None
            else "—"
        )
        rank = str(r.rank) if r.score.ranked else "—"
        # '33 of 44', not '33 of 44 benchmarks': the word under its header wrapped every row
        covered = f"{r.score.covered_benchmarks} of {r.score.total_benchmarks}"
        table.add_row(rank, r.system, f"{r.score.value:.0f}", interval, covered)
    make_console().print(table)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("compare")(compare)
    app.command("leaderboard")(leaderboard)
