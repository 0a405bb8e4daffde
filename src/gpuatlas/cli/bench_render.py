"""Terminal rendering of a benchmark result: headline, fingerprint, metrics, energy, warnings."""

from __future__ import annotations

from rich.table import Table

from gpuatlas.cli.terminal import make_console
from gpuatlas.numbers import format_number
from gpuatlas.records.result import BenchResult

console = make_console()


def _number(value: float | None) -> str:
    return format_number(value)


def render_result(result: BenchResult) -> None:
    headline = result.headline
    gpu = ", ".join(g.name for g in result.fingerprint.gpus) or result.fingerprint.gpu_note
    engine = result.fingerprint.engine
    console.print(
        f"[bold]{result.benchmark}[/] v{result.benchmark_version} "
        f"({result.category}) - {result.created_at} - result {result.result_id}",
        highlight=False,
    )
    console.print(
        f"GPU: {gpu}; engine: {engine.name if engine else '-'} "
        f"{engine.version if engine and engine.version else ''}; "
        f"model: {result.settings.model or '-'}; source: {result.source}",
        highlight=False,
    )
    interval = ""
    if headline.ci_low is not None:
        interval = f" (95% CI {_number(headline.ci_low)} - {_number(headline.ci_high)})"
    _print_identity(result)
    if headline.value is None:
        console.print(
            f"[bold red]{headline.metric}: no value[/] "
            f"({headline.reason or 'nothing was measured'})",
            highlight=False,
        )
    else:
        console.print(
            f"[bold green]{headline.metric} = {_number(headline.value)} "
            f"{headline.unit}[/]{interval}",
            highlight=False,
        )
    if not result.comparable:
        console.print(
            "[bold red]not valid for comparison[/] (kept, never pooled): "
            + "; ".join(result.not_comparable_reasons),
            highlight=False,
        )
    console.print(_metrics_table(result))
    if result.failures:
        console.print(f"[red]failures:[/] {result.failures}", highlight=False)
    if result.energy:
        console.print(
            f"energy: {result.energy.joules:.1f} J, mean {result.energy.mean_power_w:.0f}"
            f" W, {_number(result.energy.joules_per_token)} J/token",
            highlight=False,
        )
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


def _print_identity(result: BenchResult) -> None:
    based_on = result.settings.extra.get("based_on")
    if based_on:
        differences = "; ".join(str(d) for d in result.settings.extra.get("differences", []))
        console.print(
            f"[bold yellow]custom run[/]: not the suite benchmark {based_on} "
            f"({differences}); compared only with runs of the same settings",
            highlight=False,
        )


def _metrics_table(result: BenchResult) -> Table:
    table = Table()
    for column in ("metric", "median", "mean", "p90", "p99", "n", "95% CI of median"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, s in result.metrics.items():
        interval = "-" if s.ci_low is None else f"{_number(s.ci_low)} - {_number(s.ci_high)}"
        label = f"{name} ({s.unit})" if s.unit else name
        table.add_row(
            label,
            _number(s.median),
            _number(s.mean),
            _number(s.p90),
            _number(s.p99),
            str(s.n),
            interval,
        )
    return table
