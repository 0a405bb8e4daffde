"""The `cost` command: renting cost per offer, and per unit of work from each system's speed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from gpuatlas.app.cost import (
    FULL_LOAD_BASIS,
    RPS_HELP,
    UTILIZATION_HELP,
    RentingCostRequest,
    cost_document,
    cost_report,
    daily_volume_note,
    full_load_note,
    image_offload_notes,
    layout_notes,
    memory_way_outs,
    offload_notes,
    per_unit_words,
    server_engine_note,
    shared_instance_notes,
    training_framework_note,
    unnamed_variant_notes,
)
from gpuatlas.app.economics_requests import CostReport, auto_format_ids
from gpuatlas.app.engine_names import engine_shown_on
from gpuatlas.app.requests import (
    HOST_RAM_HELP,
    NUM_CTX_HELP,
    PARALLEL_HELP,
    TRAINING_FRAMEWORK_HELP,
    field_default,
    parse_request,
)
from gpuatlas.catalog.formats import find_format
from gpuatlas.cli.cost_options import (
    E2eOption,
    EndOfSequenceOption,
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
from gpuatlas.cli.output import (
    console,
    format_number,
    new_table,
    print_json,
    print_model_note,
    print_name_notes,
)
from gpuatlas.cli.terminal import working
from gpuatlas.economics.offer_costs import HOURS_PER_MONTH
from gpuatlas.numbers import format_usd_rate, output_tokens_text, with_article
from gpuatlas.performance.predictions import Estimate

if TYPE_CHECKING:
    from gpuatlas.economics.offer_costs import OfferPrice

NAMES_SHOWN = 6  # systems named in the one-line "cannot run" count


def _default(name: str) -> Any:
    return field_default(RentingCostRequest, name)


def cost_command(
    gpus: list[str] = GpuOption,
    model: str | None = typer.Option(None, help="Model (for serving, image or training costs)."),
    weights: str = WeightsOption,
    engine: str = typer.Option(
        _default("engine"),
        "--engine",
        "-e",
        help="Serving engine (workload llm; auto: the checkpoint's own, else each GPU's usual "
        "one) or image engine (workload image: diffusers, comfyui, a1111, tensorrt, "
        "stable-fast; auto: diffusers).",
    ),
    workload: str = typer.Option(_default("workload"), help="rent | llm | image | training."),
    input_tokens: int = typer.Option(_default("input_tokens"), help="Prompt tokens per request."),
    output_tokens: int = typer.Option(_default("output_tokens"), help="Output tokens per request."),
    mean_output_tokens: float | None = EndOfSequenceOption,
    p95_ttft_ms: float | None = TtftOption,
    p95_tpot_ms: float | None = TpotOption,
    p95_e2e_ms: float | None = E2eOption,
    rps: float | None = typer.Option(None, "--rps", help=RPS_HELP),
    utilization: float | None = typer.Option(None, "--utilization", help=UTILIZATION_HELP),
    train_tokens: float = typer.Option(
        _default("train_tokens"), help="Training token budget (workload training)."
    ),
    method: str = typer.Option(_default("method"), help="Training method: full, lora, qlora."),
    framework: str = typer.Option(
        _default("framework"), "--framework", help=TRAINING_FRAMEWORK_HELP
    ),
    resolution: int | None = typer.Option(None, help="Image side in px (workload image)."),
    steps: int | None = typer.Option(None, help="Denoising steps (workload image)."),
    hours: float = typer.Option(_default("hours"), help="Job length for the rental cost (h)."),
    days: float = typer.Option(
        _default("days"), help="Service length for the rental cost (days, 24 h)."
    ),
    num_ctx: int | None = typer.Option(None, "--num-ctx", help=f"{NUM_CTX_HELP} (workload llm)"),
    parallel: int | None = typer.Option(None, "--parallel", help=f"{PARALLEL_HELP} (workload llm)"),
    host_ram_gb: float | None = typer.Option(
        None, "--host-ram-gb", help=f"{HOST_RAM_HELP} (workload llm)"
    ),
    max_usd_per_hour: float | None = typer.Option(
        None, "--max-usd-per-hour", help="Budget: only offers costing at most this per hour."
    ),
    max_usd_per_month: float | None = typer.Option(
        None, "--max-usd-per-month", help="Budget: only offers costing at most this a month."
    ),
    providers: list[str] = ProviderOption,
    tiers: list[str] = TierOption,
    prices_file: list[Path] = PricesOption,
    details: bool = typer.Option(
        False, "--details", help="Every offer of every system, not one line per system."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Cost per offer: $/h, $/GB VRAM/h, a job of --hours, --days of serving; with --workload,
    $/1M output tokens, $/request, $/image or $/training run from each system's OWN speed."""
    values = {
        "gpus": gpus,
        "model": model,
        "weights": weights,
        "engine": engine,
        "workload": workload,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "mean_output_tokens": mean_output_tokens,
        "p95_ttft_ms": p95_ttft_ms,
        "p95_tpot_ms": p95_tpot_ms,
        "p95_e2e_ms": p95_e2e_ms,
        "rps": rps,
        "utilization": utilization,
        "train_tokens": train_tokens,
        "method": method,
        "framework": framework,
        "resolution": resolution,
        "steps": steps,
        "hours": hours,
        "days": days,
        "num_ctx": num_ctx,
        "parallel": parallel,
        "host_ram_gb": host_ram_gb,
        "max_usd_per_hour": max_usd_per_hour,
        "max_usd_per_month": max_usd_per_month,
        "providers": providers,
        "tiers": tiers,
    }
    with user_errors(), working("Pricing the work on every offer…"):
        request = parse_request(RentingCostRequest, values)
        if as_json:
            print_json(cost_document(request, prices_file))
            return
        report = cost_report(request, prices_file)
        assumed = weights_note(model, weights, engine) if workload == "llm" else ""
        server_note = server_engine_note(request, report, prices_file)
    if assumed:
        console.print(assumed, highlight=False)
    if report.ranking and not details:
        _render_ranking(report, request)
        if server_note:
            console.print(f"note: {server_note}", markup=False, highlight=False)
        print_model_note(request.model)
        print_name_notes(list(request.gpus))
        return
    if details or report.ranking or request.workload == "rent":
        _render_cost(report, request)
    else:  # nothing ranked: say why (no offer at all, or none within the budget)
        for line in report.no_offer:
            console.print(f"[yellow]note:[/] {line}", highlight=False)
    _render_cannot_run(report)
    if not report.ranking:
        for text in memory_way_outs(request, report):
            console.print(f"try: {text}", highlight=False, markup=False)
    print_model_note(request.model)
    print_name_notes(list(request.gpus))
    if request.workload != "rent" and not report.ranking:
        raise typer.Exit(code=NO_ANSWER)  # nothing priced the work: a script can tell


NO_ANSWER = 1  # the exit status of a cost or plan that has no setup to offer (bad input: 2)


def _render_cannot_run(report: CostReport) -> None:
    """Every system left out of the ranking, with its reason (--details, or no ranking)."""
    for line in report.cannot_run:
        console.print(f"[yellow]cannot run:[/] {line.system_id}: {line.reason}", highlight=False)
    if report.cannot_run and not report.ranking:
        console.print("[bold]None of these systems can run this work.[/]", highlight=False)


def smaller_formats_hint(report: CostReport, request: RentingCostRequest) -> str:
    """For systems left out on memory: the formats worth considering besides the one ranked
    (FP8, AWQ …), which may fit them."""
    memory = any(line.reason.startswith("memory") for line in report.cannot_run)
    if not memory or request.workload != "llm" or request.model is None or not report.serving:
        return ""
    ranked = report.serving[0].sustained.weights
    others = [
        f
        for f in auto_format_ids(request.model, request.engine)
        if _bits_per_weight(f) < _bits_per_weight(ranked)  # only smaller ones can help
    ]
    if not others:
        return ""
    options = ", ".join(f"--weights {f}" for f in others)
    return f"; those left out on memory in {ranked} may fit a smaller format ({options})"


def several_gpus_hint(report: CostReport) -> str:
    """When every GPU was ranked alone and some were left out on memory: where setups of
    several GPUs are weighed."""
    memory = any(line.reason.startswith("memory") for line in report.cannot_run)
    if not report.all_gpus or not memory:
        return ""
    return (
        "; each GPU is ranked alone: name systems of several GPUs (--gpu '2x h100-sxm') or "
        "let gpuatlas plan weigh them"
    )


def _bits_per_weight(format_id: str) -> float:
    found = find_format(format_id)
    return found.model_bits_per_weight if found is not None else 32.0


def offer_text(offer: OfferPrice) -> str:
    """'$0.34/GPU-h, RunPod (community, 2026-09-25)': the hourly price beside where it is."""
    return f"{money(offer.usd_per_gpu_hour)}/GPU-h, {offer.label}"


def ranking_basis(report: CostReport, request: RentingCostRequest) -> str:
    """What the ranked costs assume: the work, the rate each system runs at, and the model and
    calibration that predicted its speed (so two answers with different bases never look alike)."""
    best = report.ranking[0].best
    speeds = f"modelled by {best.model}, calibration {best.calibration_version}"
    if report.serving:
        first = report.serving[0].sustained
        return (
            f"basis: {request.model} {first.weights} on {_engines_words(report, request)}, "
            "requests of "
            f"{format_number(request.input_tokens)} in / "
            f"{output_tokens_text(request.output_tokens, request.mean_output_tokens)} out "
            f"tokens; each system at {first.basis}, from its own modelled speed; {speeds}"
        )
    winner = report.ranking[0].system_id  # setups differ per system: the winner's
    work = next((job.work for job in report.jobs if job.system_id == winner), request.workload)
    return f"basis: {request.model}, {work} on {winner}, each system in its own setup; {speeds}"


def _engines_words(report: CostReport, request: RentingCostRequest) -> str:
    """The engine the ranked systems serve with, as users name it: 'vllm', or the most
    common one and the systems that run another ('vllm (on p40: llama.cpp)': vLLM does not run
    below compute capability 7.0, `auto` picks llama.cpp there)."""
    by_engine: dict[str, list[str]] = {}
    for row in report.serving:
        engine = row.sustained.engine
        words = engine_shown_on(engine, row.system_id) if engine else request.engine
        systems = by_engine.setdefault(words, [])
        if row.system_id not in systems:
            systems.append(row.system_id)
    ordered = sorted(by_engine.items(), key=lambda item: -len(item[1]))
    main, *others = ordered
    if not others:
        return main[0]
    extra = "; ".join(f"on {', '.join(systems)}: {engine}" for engine, systems in others)
    return f"{main[0]} ({extra})"


def replicas_text(report: CostReport, system_id: str) -> str:
    """' (2 replicas)' beside a system sized for a stated traffic (--rps) with more than one;
    '' otherwise."""
    if report.rps is None:
        return ""
    found = next((s.sustained for s in report.serving if s.system_id == system_id), None)
    return f" ({found.replicas} replicas)" if found is not None and found.replicas > 1 else ""


SYSTEM_CELL_WIDTH = 24  # the widest the ranked system's cell is kept from wrapping


def _render_ranking(report: CostReport, request: RentingCostRequest) -> None:
    """One line per system, cheapest first, and the winner in words."""
    metric = report.ranking[0].metric
    scope = "every GPU with an offer, one GPU each" if report.all_gpus else "the named systems"
    table = new_table(
        f"Cheapest {metric} for {scope} (own modelled speed)",
        "system",
        metric,
        "cheapest offer",
        "cheapest on-demand",
    )
    systems = [f"{line.rank}. {line.system_id}" for line in report.ranking]
    # the rank and the name on one line ('1.' above 'rtx-4090' read as two rows at 80 columns)
    table.columns[0].min_width = min(max(map(len, systems)), SYSTEM_CELL_WIDTH)
    for line in report.ranking:
        on_demand = (
            "no on-demand offer"
            if line.on_demand is None or line.on_demand_offer is None
            else "the same offer"
            if line.on_demand_offer == line.best_offer
            else f"{usd_band(line.on_demand)} at {offer_text(line.on_demand_offer)}"
        )
        table.add_row(
            f"{line.rank}. {line.system_id}{replicas_text(report, line.system_id)}",
            usd_band(line.best),
            offer_text(line.best_offer),
            on_demand,
        )
    console.print(table)
    winner = report.ranking[0]
    console.print(
        f"[bold]Cheapest:[/] {winner.system_id}{replicas_text(report, winner.system_id)} at "
        f"{usd_band(winner.best)} "
        f"{per_unit_words(metric)} on {winner.best_offer.label} at "
        f"{money(winner.best_offer.usd_per_gpu_hour)}/GPU-h. "
        "Ranges follow each prediction's calibrated band; --details lists every offer.",
        highlight=False,
    )
    console.print(ranking_basis(report, request), highlight=False)
    if report.early_stop_note:
        console.print(f"note: {report.early_stop_note}", markup=False, highlight=False)
    full_load = full_load_note(report)
    if full_load:
        console.print(f"note: {full_load}", markup=False, highlight=False)
    volume = daily_volume_note(report)
    if volume:
        console.print(f"note: {volume}", markup=False, highlight=False)
    notes = [
        *layout_notes(report),
        *offload_notes(report),
        *image_offload_notes(report, request),
        *shared_instance_notes(report),
    ]
    for note in [*notes, *unnamed_variant_notes(report)]:
        console.print(f"note: {note}", markup=False, highlight=False)
    framework = training_framework_note(request)
    if framework:
        console.print(f"note: {framework}", markup=False, highlight=False)
    if report.cannot_run:
        names = ", ".join(line.system_id for line in report.cannot_run[:NAMES_SHOWN])
        if len(report.cannot_run) > NAMES_SHOWN:
            names += f" and {len(report.cannot_run) - NAMES_SHOWN} more"
        console.print(
            f"[yellow]cannot run:[/] {len(report.cannot_run)} system(s) left out "
            f"({names}); --details gives the reasons{smaller_formats_hint(report, request)}"
            f"{several_gpus_hint(report)}.",
            highlight=False,
        )
    for note in report.no_offer:
        console.print(f"[yellow]note:[/] {note}", highlight=False)


def _render_cost(report: CostReport, request: RentingCostRequest) -> None:
    hours, days = format_number(request.hours), format_number(request.days)
    title = f"Renting ({with_article(hours)}-hour job; {days} days around the clock)"
    table = new_table(
        title,
        "system",
        "offer",
        "$/h",
        "$/GB VRAM/h",
        f"{hours} h",
        f"{days} days",
    )
    for row in report.durations:
        table.add_row(
            row.system_id,
            row.price.label,
            money(row.price.usd_per_hour),
            format_usd_rate(row.usd_per_gb_vram_hour),
            money(row.usd_for_hours),
            money(row.usd_for_days),
        )
    if report.durations:  # no offer left (a budget, a tier): the notes below say why
        console.print(table)
    if request.max_usd_per_month is not None and report.durations:
        console.print(
            f"note: a budget month is {HOURS_PER_MONTH:,.0f} h (a year's 8,760 h over 12); the "
            f"'{days} days' column is {days} × 24 h",
            markup=False,
            highlight=False,
        )
    if report.serving:
        _render_serving(report)
    if report.jobs:
        _render_jobs(report)
    for line in report.no_offer:
        console.print(f"[yellow]note:[/] {line}", highlight=False)


def _render_serving(report: CostReport) -> None:
    table = new_table(
        "Serving at each system's own sustainable rate",
        "system",
        "offer",
        "replicas",
        "req/s per replica",
        "out tok/s per replica",
        "p95 TTFT",
        "p95 TPOT",
        "$/1M out tokens",
        "$/1M at full load",
        "$/request",
        "$/1M tok, 1 stream",
        "tok/J (TDP est.)",
    )
    for row in report.serving:
        sustained = row.sustained
        table.add_row(
            f"{row.system_id} {sustained.weights}",
            row.price.label,
            format_number(sustained.replicas),
            format_number(sustained.rps),
            format_number(sustained.output_tok_s),
            format_number(sustained.latency.p95_ttft_ms, "ms"),
            format_number(sustained.latency.p95_tpot_ms, "ms"),
            usd_band(row.usd_per_million_output_tokens),
            money(row.usd_per_million_output_tokens_at_saturation),
            money(row.usd_per_request),
            money(row.usd_per_million_tokens_single_stream),
            format_number(row.output_tokens_per_joule),
        )
    console.print(table)
    if report.serving:
        console.print(f"rate basis: {report.serving[0].sustained.basis}", highlight=False)
        if report.early_stop_note:
            console.print(report.early_stop_note, markup=False, highlight=False)
        console.print(
            f"full load: {FULL_LOAD_BASIS} (no latency target met; a floor on the price, "
            "not a way to serve; as `gpuatlas compare` prices it)",
            highlight=False,
        )


def duration_text(hours: Estimate) -> str:
    """'1,234 h (987–1,520)', '12.3 s (9.8–15.1)': hours, or seconds under 0.1 h."""
    shown, unit = (hours, "h") if hours.value >= 0.1 else (hours.scaled(3600.0), "s")
    return (
        f"{format_number(shown.value, unit)} "
        f"({format_number(shown.low)}–{format_number(shown.high)})"
    )


def _per_joule(job: Any) -> str:
    """Work per joule with its unit: training tokens or images."""
    if job.work_per_joule is None:
        return "—"
    unit = "tok/J" if job.work.startswith("training") else "images/J"
    return format_number(job.work_per_joule, unit)


def _render_jobs(report: CostReport) -> None:
    table = new_table(
        "Jobs at each system's own predicted speed",
        "system",
        "offer",
        "work",
        "time",
        "cost",
        "per joule (TDP est.)",
    )
    for job in report.jobs:
        table.add_row(
            job.system_id,
            job.price.label,
            job.work,
            duration_text(job.hours),
            usd_band(job.usd),
            _per_joule(job),
        )
    console.print(table)
