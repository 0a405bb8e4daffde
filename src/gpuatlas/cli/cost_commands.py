"""CLI commands of the cost area: `cost`, `tco`, `plan`, `fleet` (parse, call, render).

JSON schemas (stable): gpuatlas.cost/1, gpuatlas.tco/1, gpuatlas.plan/1, gpuatlas.fleet/1 —
each object carries `schema_version`; money is in USD, time in ms/h, power in W.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.output import console, new_table, print_json, to_plain
from gpuatlas.estimate.economics_requests import (
    DEFAULT_TIERS,
    CostReport,
    CostRequest,
    FleetRequest,
    PlanRequest,
    TcoRequest,
    TcoRow,
    provenance,
    run_cost,
    run_fleet,
    run_plan,
    run_tco,
)
from gpuatlas.estimate.economics_serving import Slo
from gpuatlas.estimate.fleet import FleetPlan, PoolAssignment
from gpuatlas.estimate.planning import Plan, PlanOption
from gpuatlas.estimate.results import Estimate
from gpuatlas.estimate.tco import OnPremInputs

JsonOption = typer.Option(False, "--json", help="Print JSON (documented, stable schema).")
GpuOption = typer.Option(
    [], "--gpu", help="GPU or system ('rtx-4090', '2x a100-80gb-sxm'); repeat."
)
ProviderOption = typer.Option([], "--provider", help="Only these providers; repeat.")
TierOption = typer.Option(list(DEFAULT_TIERS), "--tier",
                          help="Price tiers: on-demand, community, spot, reserved; repeat.")
PricesOption = typer.Option([], "--prices", help="Extra price CSV file(s).")
TtftOption = typer.Option(None, "--p95-ttft-ms", help="p95 time-to-first-token target.")
TpotOption = typer.Option(None, "--p95-tpot-ms", help="p95 time-per-output-token target.")
E2eOption = typer.Option(None, "--p95-e2e-ms", help="p95 end-to-end latency target.")


def register(app: typer.Typer) -> None:
    app.command("cost")(cost_command)
    app.command("tco")(tco_command)
    app.command("plan")(plan_command)
    app.command("fleet")(fleet_command)


def _money(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"${value:,.{digits}f}"


def _band(estimate: Estimate, digits: int = 3) -> str:
    return f"${estimate.value:,.{digits}f} ({estimate.low:,.{digits}f}–{estimate.high:,.{digits}f})"


# ----- cost --------------------------------------------------------------------------------------


def cost_command(
    gpus: list[str] = GpuOption,
    model: str | None = typer.Option(None, help="Model (for serving, image or training costs)."),
    weights: str = typer.Option("fp16", help="Weight format."),
    engine: str = typer.Option("vllm", help="Serving engine."),
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
    as_json: bool = JsonOption,
) -> None:
    """Cost per offer: $/h, $/GB VRAM/h, a job of --hours, --days of serving; with --workload,
    $/1M output tokens, $/request, $/image or $/training run from each system's OWN speed."""
    request = CostRequest(
        tuple(gpus), model, weights, engine, workload, input_tokens, output_tokens,
        Slo(p95_ttft_ms, p95_tpot_ms, p95_e2e_ms), utilization, train_tokens, method,
        resolution, steps, hours, days, tuple(providers), tuple(tiers), tuple(prices_file),
    )
    with user_errors():
        report = run_cost(request)
    if as_json:
        print_json({"schema_version": "gpuatlas.cost/1", "request": to_plain(request),
                    "provenance": provenance(), **_cost_json(report)})
        return
    _render_cost(report, request)


def _cost_json(report: CostReport) -> dict[str, Any]:
    document = to_plain(report)
    assert isinstance(document, dict)
    document["rentals"] = document.pop("durations")
    return document


def _render_cost(report: CostReport, request: CostRequest) -> None:
    title = f"Renting (a {request.hours:g}-hour job; {request.days:g} days around the clock)"
    table = new_table(title,
                      "system", "offer", "$/h", "$/GB VRAM/h", f"{request.hours:g} h",
                      f"{request.days:g} days")
    for row in report.durations:
        table.add_row(row.system_id, row.price.label, _money(row.price.usd_per_hour),
                      f"${row.usd_per_gb_vram_hour:.4f}", _money(row.usd_for_hours),
                      _money(row.usd_for_days))
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
                      _band(row.usd_per_million_output_tokens), f"${row.usd_per_request:.6f}",
                      _money(row.usd_per_million_tokens_single_stream),
                      f"{row.output_tokens_per_joule:.2f}")
    console.print(table)
    if report.serving:
        console.print(f"rate basis: {report.serving[0].sustained.basis}", highlight=False)


def _duration(hours: Estimate) -> str:
    if hours.value >= 0.1:
        return f"{hours.value:,.3g} h ({hours.low:,.3g}–{hours.high:,.3g})"
    seconds = hours.scaled(3600.0)
    return f"{seconds.value:,.3g} s ({seconds.low:,.3g}–{seconds.high:,.3g})"


def _render_jobs(report: CostReport) -> None:
    table = new_table("Jobs at each system's own predicted speed", "system", "offer", "work",
                      "time", "cost", "work/J (TDP est.)")
    for job in report.jobs:
        table.add_row(job.system_id, job.price.label, job.work, _duration(job.hours),
                      _band(job.usd, 4), "—" if job.work_per_joule is None
                      else f"{job.work_per_joule:.3g}")
    console.print(table)


# ----- tco ---------------------------------------------------------------------------------------


def tco_command(
    gpus: list[str] = GpuOption,
    purchase_usd: list[float] = typer.Option(
        [], "--purchase-usd",
        help="Price per GPU, one per --gpu (default: newest sourced catalog price "
        "for --condition, else the launch price)."),
    condition: str = typer.Option(
        "new", help="new or used: picks the default purchase price, labels a user-set one."),
    measured_w: list[float] = typer.Option(
        [], "--measured-w", help="Measured draw of each system in W, one per --gpu (else TDP)."),
    server_usd: float = typer.Option(0.0, help="Rest of the server (CPU, board, PSU…), once."),
    hosting_usd_per_month: float = typer.Option(0.0, help="Rack space, network, staff per month."),
    usd_per_kwh: float = typer.Option(0.12, help="Electricity price."),
    pue: float = typer.Option(1.3, help="Power usage effectiveness (cooling overhead)."),
    years: float = typer.Option(5.0, help="Years of use."),
    residual: float = typer.Option(0.0, help="Resale value at the end, fraction of purchase."),
    load: float = typer.Option(1.0, help="Average draw as a fraction of TDP."),
    hours_per_month: float = typer.Option(730.0, help="Hours in use per month (730 = 24/7)."),
    providers: list[str] = ProviderOption,
    tiers: list[str] = TierOption,
    prices_file: list[Path] = PricesOption,
    as_json: bool = JsonOption,
) -> None:
    """On-prem TCO (purchase, power × PUE, hosting, residual) → $/GPU-hour and the break-even
    month against the cheapest matching cloud offer."""
    inputs = OnPremInputs(usd_per_kwh, pue, years, hours_per_month, load, server_usd,
                          hosting_usd_per_month, residual)
    request = TcoRequest(tuple(gpus), inputs, tuple(purchase_usd), condition, tuple(providers),
                         tuple(tiers), tuple(prices_file), tuple(measured_w))
    with user_errors():
        rows = run_tco(request)
    if as_json:
        print_json({"schema_version": "gpuatlas.tco/1", "request": to_plain(request),
                    "systems": [_tco_json(row) for row in rows],
                    "comparisons": _electricity_comparisons(rows)})
        return
    _render_tco(rows, inputs)


def _tco_json(row: TcoRow) -> dict[str, Any]:
    document = to_plain(row)
    assert isinstance(document, dict)
    tco = row.tco
    document["facility_watts"] = tco.power.watts * tco.inputs.pue
    document["electricity_usd_per_year"] = tco.electricity_usd_per_month * 12
    if row.break_even is not None:
        document["break_even"]["break_even_month"] = row.break_even.break_even_month
    return document


def _electricity_comparisons(rows: list[TcoRow]) -> list[dict[str, Any]]:
    comparisons = []
    for first_index, first in enumerate(rows):
        for other in rows[first_index + 1:]:
            monthly = first.tco.electricity_usd_per_month - other.tco.electricity_usd_per_month
            yearly = monthly * 12
            comparisons.append({
                "system": first.tco.system_id, "versus": other.tco.system_id,
                "electricity_difference_usd_per_year": yearly,
                "electricity_difference_usd_total": yearly * first.tco.inputs.years,
                "note": "same hours at the same load; compare energy per unit of work with "
                        "`gpuatlas cost --workload llm` (tokens/J)",
            })
    return comparisons


def _render_tco(rows: list[TcoRow], inputs: OnPremInputs) -> None:
    table = new_table(
        f"On-prem over {inputs.years:g} years at ${inputs.usd_per_kwh:g}/kWh, PUE {inputs.pue:g}, "
        f"{inputs.hours_per_month:g} h/month", "system", "power → at the wall", "electricity/yr",
        "purchase", "total", "$/GPU-h", "cheapest cloud", "break-even")
    for row in rows:
        tco, even = row.tco, row.break_even
        basis = "measured" if tco.power.basis == "measured" else "TDP est."
        power = f"{tco.power.watts:,.0f} W ({basis}) → {tco.power.watts * inputs.pue:,.0f} W"
        purchase = "—" if tco.purchase is None else (
            f"{_money(tco.capex_usd, 0)} ({tco.purchase.condition})")
        cloud = "—" if even is None else (
            f"{even.offer.label} {_money(even.cloud_usd_per_month)}/mo")
        table.add_row(tco.system_id, power, _money(tco.electricity_usd_per_month * 12),
                      purchase, _money(tco.total_usd, 0), _money(tco.usd_per_gpu_hour, 3), cloud,
                      _break_even_text(row))
    console.print(table)
    for comparison in _electricity_comparisons(rows):
        console.print(f"{comparison['system']} vs {comparison['versus']}: electricity "
                      f"{_money(comparison['electricity_difference_usd_per_year'])}/year, "
                      f"{_money(comparison['electricity_difference_usd_total'])} over "
                      f"{inputs.years:g} years", highlight=False)
    for row in rows:
        _print_tco_sources(row)


def _print_tco_sources(row: TcoRow) -> None:
    tco = row.tco
    console.print(f"[dim]{tco.system_id} power: {tco.power.source}[/]", highlight=False)
    if tco.purchase is not None:
        provenance = tco.purchase.provenance
        console.print(f"[dim]{tco.system_id} purchase: {provenance}[/]", highlight=False)
    if row.break_even is not None:
        console.print(f"[dim]{tco.system_id} cloud price: {row.break_even.offer.source}[/]",
                      highlight=False)
    if row.note:
        console.print(f"[yellow]note:[/] {tco.system_id}: {row.note}", highlight=False)


def _break_even_text(row: TcoRow) -> str:
    even = row.break_even
    if even is None or row.tco.capex_usd is None:
        return "—"
    if even.break_even_months is None:
        return "never (renting is cheaper to run)"
    return f"month {even.break_even_month} ({even.break_even_months:.1f} months)"


# ----- plan --------------------------------------------------------------------------------------


def plan_command(
    model: str = typer.Option(..., help="Model to serve."),
    weights: list[str] = typer.Option(["fp16"], "--weights", help="Weight format(s), or 'all'."),
    rps: float = typer.Option(..., "--rps", help="Arrival rate, requests per second."),
    input_tokens: float = typer.Option(512, help="Mean prompt tokens per request."),
    output_tokens: float = typer.Option(256, help="Mean output tokens per request."),
    length_dist: str = typer.Option("fixed", help="fixed, exponential, uniform or lognormal."),
    arrival: str = typer.Option("poisson", help="poisson, or gamma (bursty, see --burstiness)."),
    burstiness: float = typer.Option(1.0, help="Gamma shape: < 1 burstier than Poisson."),
    p95_ttft_ms: float | None = TtftOption,
    p95_tpot_ms: float | None = TpotOption,
    p95_e2e_ms: float | None = E2eOption,
    engine: str = typer.Option("vllm", help="Serving engine."),
    gpus: list[str] = GpuOption,
    gpu_counts: list[int] = typer.Option([1, 2, 4, 8], "--gpu-count", help="GPUs per replica."),
    providers: list[str] = ProviderOption,
    tiers: list[str] = TierOption,
    top: int = typer.Option(10, help="Options to list."),
    replicas: int | None = typer.Option(
        None, help="Simulate exactly this many replicas per setup instead of searching."),
    prices_file: list[Path] = PricesOption,
    as_json: bool = JsonOption,
) -> None:
    """The cheapest GPU setup that meets p95 latency targets at a traffic, ranked, explained."""
    request = PlanRequest(
        model, tuple(weights), rps, input_tokens, output_tokens,
        Slo(p95_ttft_ms, p95_tpot_ms, p95_e2e_ms), engine, length_dist, arrival, burstiness,
        tuple(gpus), tuple(gpu_counts), tuple(providers), tuple(tiers), top, tuple(prices_file),
        replicas,
    )
    with user_errors():
        plan = run_plan(request)
    if as_json:
        print_json(plan_json(plan))
        return
    _render_plan(plan)


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "schema_version": "gpuatlas.plan/1",
        "workload": to_plain(plan.workload), "slo": to_plain(plan.slo),
        "feasible": plan.feasible, "message": plan.message,
        "options": [to_plain(option) for option in plan.options],
        "explanation": to_plain(plan.explanation),
        "rejected": [to_plain(r) for r in plan.rejected if r.kind != "no-offer"],
        "candidates": plan.candidates, "simulated": plan.simulated,
        "provenance": provenance(),
    }


def _render_plan(plan: Plan) -> None:
    workload = plan.workload
    title = (f"{workload.model} at {workload.requests_per_s:g} req/s "
             f"({workload.input_tokens:g} in / {workload.output_tokens:g} out tokens), "
             f"{plan.slo.describe()}")
    if plan.message:
        console.print(f"[bold red]{plan.message}[/]", highlight=False)
    if plan.options:
        console.print(_options_table(title, plan.options))
    if plan.explanation:
        for line in plan.explanation.lines:
            console.print(line, highlight=False)
    console.print(f"{plan.candidates} candidates assessed, {plan.simulated} simulated; "
                  "latencies from the continuous-batching simulation (predicted).",
                  highlight=False)


def _options_table(title: str, options: tuple[PlanOption, ...]) -> Any:
    table = new_table(title, "#", "setup", "replicas", "offer", "$/month", "p95 TTFT",
                      "p95 TPOT", "util.", "batch", "meets")
    for rank, option in enumerate(options, start=1):
        table.add_row(str(rank), option.label, str(option.replicas), option.offer_label,
                      _money(option.monthly_cost_usd, 0),
                      "overloaded" if option.overloaded else f"{option.p95_ttft_ms:,.0f} ms",
                      f"{option.p95_tpot_ms:.1f} ms", f"{option.utilization:.0%}",
                      f"{option.mean_batch:.0f}/{option.max_batch}",
                      "yes" if option.meets_slo else "no")
    return table


# ----- fleet -------------------------------------------------------------------------------------


def fleet_command(
    models: list[str] = typer.Option(..., "--model", help="MODEL=SHARE, e.g. llama-2-13b=0.7."),
    weights: list[str] = typer.Option(["fp16"], "--weights", help="Weight format(s) to consider."),
    rps: float = typer.Option(..., "--rps", help="Total arrival rate, requests per second."),
    input_tokens: float = typer.Option(512, help="Mean prompt tokens per request."),
    output_tokens: float = typer.Option(256, help="Mean output tokens per request."),
    p95_ttft_ms: float | None = TtftOption,
    p95_tpot_ms: float | None = TpotOption,
    p95_e2e_ms: float | None = E2eOption,
    engine: str = typer.Option("vllm", help="Serving engine."),
    gpus: list[str] = GpuOption,
    gpu_counts: list[int] = typer.Option([1, 2, 4, 8], "--gpu-count", help="GPUs per replica."),
    providers: list[str] = ProviderOption,
    tiers: list[str] = TierOption,
    prices_file: list[Path] = PricesOption,
    as_json: bool = JsonOption,
) -> None:
    """Several models sharing traffic: each on its cheapest pool vs one GPU type for all."""
    request = FleetRequest(
        tuple(models), tuple(weights), rps, input_tokens, output_tokens,
        Slo(p95_ttft_ms, p95_tpot_ms, p95_e2e_ms), engine, tuple(gpus), tuple(gpu_counts),
        tuple(providers), tuple(tiers), tuple(prices_file),
    )
    with user_errors():
        fleet = run_fleet(request)
    if as_json:
        print_json({"schema_version": "gpuatlas.fleet/1", "request": to_plain(request),
                    **to_plain(fleet), "provenance": provenance()})
        return
    _render_fleet(fleet)


def _assignment_rows(table: Any, assignments: tuple[PoolAssignment, ...]) -> None:
    for item in assignments:
        option = item.option
        if option is None:
            table.add_row(item.model, f"{item.share:.0%}", f"{item.requests_per_s:g}",
                          item.message or "no option", "—", "—")
            continue
        table.add_row(item.model, f"{item.share:.0%}", f"{item.requests_per_s:g}",
                      f"{option.replicas} × {option.label}", option.offer_label,
                      _money(option.monthly_cost_usd, 0))


def _render_fleet(fleet: FleetPlan) -> None:
    mixed = new_table(f"Mixed fleet: {_money(fleet.mixed_monthly_cost_usd, 0)}/month", "model",
                      "share", "req/s", "pool", "offer", "$/month")
    _assignment_rows(mixed, fleet.mixed)
    console.print(mixed)
    single = fleet.single_type
    if single is None:
        console.print("no single GPU type (from one provider) serves every model")
        return
    table = new_table(f"Best single-type fleet ({single.gpu} on {single.provider}, {single.tier}): "
                      f"{_money(single.monthly_cost_usd, 0)}/month", "model", "share", "req/s",
                      "pool", "offer", "$/month")
    _assignment_rows(table, single.assignments)
    console.print(table)
    if fleet.saving_usd_per_month is not None and fleet.saving_pct is not None:
        console.print(f"The mixed fleet saves {_money(fleet.saving_usd_per_month, 0)}/month "
                      f"({fleet.saving_pct:.0f}%).", highlight=False)
