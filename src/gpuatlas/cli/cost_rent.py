"""The `cost` command: renting cost per offer, and per unit of work from each system's speed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from gpuatlas.app.economics_requests import CostReport, CostRequest, provenance, run_cost
from gpuatlas.cli.cost_options import (
    E2eOption,
    EngineOption,
    GpuOption,
    JsonOption,
    PricesOption,
    ProviderOption,
    TierOption,
    TpotOption,
    TtftOption,
    WeightsOption,
    money,
    usd_band,
    weights_note,
)
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.output import console, format_number, new_table, print_json, to_plain
from gpuatlas.cli.terminal import working
from gpuatlas.economics.serving_candidate import Slo
from gpuatlas.performance.predictions import Estimate


def cost_command(
    gpus: list[str] = GpuOption,
    model: str | None = typer.Option(None, help="Model (for serving, image or training costs)."),
    weights: str = WeightsOption,
    engine: str = EngineOption,
    workload: str = typer.Option("rent", help="rent | llm | image | training."),
    input_tokens: int = typer.Option(512, help="Prompt tokens per request."),
    output_tokens: int = typer.Option(256, help="Output tokens per request."),
    p95_ttft_ms: float | None = TtftOption,
    p95_tpot_ms: float | None = TpotOption,
    p95_e2e_ms: float | None = E2eOption,
    utilization: float = typer.Option(0.7, help="Without latency targets: share of saturation."),
    train_tokens: float = typer.Option(0.0, help="Training token budget (workload training)."),
    method: str = typer.Option("full", help="Training method: full, lora, qlora."),
    resolution: int | None = typer.Option(None, help="Image side in px (workload image)."),
    steps: int | None = typer.Option(None, help="Denoising steps (workload image)."),
    hours: float = typer.Option(24.0, help="Job length for the rental cost (h)."),
    days: float = typer.Option(30.0, help="Service length for the rental cost (days, 24 h)."),
    providers: list[str] = ProviderOption,
    tiers: list[str] = TierOption,
    prices_file: list[Path] = PricesOption,
    details: bool = typer.Option(False, "--details",
                                 help="Every offer of every system, not one line per system."),
    as_json: bool = JsonOption,
) -> None:
    """Cost per offer: $/h, $/GB VRAM/h, a job of --hours, --days of serving; with --workload,
    $/1M output tokens, $/request, $/image or $/training run from each system's OWN speed."""
    request = CostRequest(
        tuple(gpus), model, weights, engine, workload, input_tokens, output_tokens,
        Slo(p95_ttft_ms, p95_tpot_ms, p95_e2e_ms), utilization, train_tokens, method,
        resolution, steps, hours, days, tuple(providers), tuple(tiers), tuple(prices_file),
    )
    with user_errors(), working("Pricing the work on every offer…"):
        report = run_cost(request)
        assumed = weights_note(model, weights) if workload == "llm" else ""
    if as_json:
        print_json({"schema_version": "gpuatlas.cost/1", "request": to_plain(request),
                    "provenance": provenance(), **_cost_json(report)})
        return
    if assumed:
        console.print(assumed, highlight=False)
    if report.ranking and not details:
        _render_ranking(report)
        return
    _render_cost(report, request)


def _cost_json(report: CostReport) -> dict[str, Any]:
    document = to_plain(report)
    assert isinstance(document, dict)
    document["rentals"] = document.pop("durations")
    document["winner"] = document["ranking"][0] if document["ranking"] else None
    return document


def _render_ranking(report: CostReport) -> None:
    """One line per system, cheapest first, and the winner in words."""
    metric = report.ranking[0].metric
    scope = "every GPU with an offer" if report.all_gpus else "the named systems"
    table = new_table(f"Cheapest {metric} for {scope} (own modelled speed)",
                      "system", metric, "cheapest offer", "cheapest on-demand")
    for line in report.ranking:
        on_demand = (f"{usd_band(line.on_demand)} {line.on_demand_offer.provider}"
                     if line.on_demand is not None and line.on_demand_offer is not None else "—")
        table.add_row(f"{line.rank}. {line.system_id}", usd_band(line.best),
                      line.best_offer.label, on_demand)
    console.print(table)
    winner = report.ranking[0]
    console.print(f"[bold]Cheapest:[/] {winner.system_id} at {usd_band(winner.best)} "
                  f"{metric.removeprefix('$').strip()} on {winner.best_offer.label}. "
                  "Ranges follow each prediction's calibrated band; --details lists every offer.",
                  highlight=False)
    for note in (*report.not_served, *report.no_offer):
        console.print(f"[yellow]note:[/] {note}", highlight=False)


def _render_cost(report: CostReport, request: CostRequest) -> None:
    title = f"Renting (a {request.hours:g}-hour job; {request.days:g} days around the clock)"
    table = new_table(title,
                      "system", "offer", "$/h", "$/GB VRAM/h", f"{request.hours:g} h",
                      f"{request.days:g} days")
    for row in report.durations:
        table.add_row(row.system_id, row.price.label, money(row.price.usd_per_hour),
                      money(row.usd_per_gb_vram_hour), money(row.usd_for_hours),
                      money(row.usd_for_days))
    console.print(table)
    if report.serving:
        _render_serving(report)
    if report.jobs:
        _render_jobs(report)
    for line in (*report.not_served, *report.no_offer):
        console.print(f"[yellow]note:[/] {line}", highlight=False)


def _render_serving(report: CostReport) -> None:
    table = new_table("Serving at each system's own sustainable rate", "system", "offer",
                      "req/s", "out tok/s", "p95 TTFT", "p95 TPOT", "$/1M out tokens",
                      "$/request", "$/1M tok, 1 stream", "tok/J (TDP est.)")
    for row in report.serving:
        sustained = row.sustained
        table.add_row(f"{row.system_id} {sustained.weights}", row.price.label,
                      f"{sustained.requests_per_s:.2f}", f"{sustained.output_tokens_per_s:,.0f}",
                      f"{sustained.latency.p95_ttft_ms:,.0f} ms",
                      f"{sustained.latency.p95_tpot_ms:.1f} ms",
                      usd_band(row.usd_per_million_output_tokens), money(row.usd_per_request),
                      money(row.usd_per_million_tokens_single_stream),
                      f"{row.output_tokens_per_joule:.2f}")
    console.print(table)
    if report.serving:
        console.print(f"rate basis: {report.serving[0].sustained.basis}", highlight=False)


def _duration(hours: Estimate) -> str:
    if hours.value >= 0.1:
        return f"{hours.value:,.3g} h ({hours.low:,.3g}–{hours.high:,.3g})"
    seconds = hours.scaled(3600.0)
    return f"{seconds.value:,.3g} s ({seconds.low:,.3g}–{seconds.high:,.3g})"


def _per_joule(job: Any) -> str:
    """Work per joule with its unit: training tokens or images."""
    if job.work_per_joule is None:
        return "—"
    unit = "tok/J" if job.work.startswith("training") else "images/J"
    return format_number(job.work_per_joule, unit)


def _render_jobs(report: CostReport) -> None:
    table = new_table("Jobs at each system's own predicted speed", "system", "offer", "work",
                      "time", "cost", "per joule (TDP est.)")
    for job in report.jobs:
        table.add_row(job.system_id, job.price.label, job.work, _duration(job.hours),
                      usd_band(job.usd), _per_joule(job))
    console.print(table)
