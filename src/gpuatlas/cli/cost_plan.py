"""Serving plans: `plan` (the cheapest setup that meets p95 latency targets at a traffic) and
`fleet` (several models sharing traffic: mixed pools vs one GPU type for all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from gpuatlas.app.engine_names import engine_shown_on
from gpuatlas.app.fleet import FleetPlanRequest, fleet_document, fleet_plan
from gpuatlas.app.plan import ServingPlanRequest, plan_document, serving_plan
from gpuatlas.app.requests import (
    HOST_RAM_HELP,
    NUM_CTX_HELP,
    PARALLEL_HELP,
    field_default,
    parse_request,
)
from gpuatlas.cli.cost_options import (
    E2eOption,
    EndOfSequenceOption,
    EngineOption,
    GpuCountOption,
    GpuOption,
    JsonOption,
    MeanInputTokensOption,
    MeanOutputTokensOption,
    PlanWeightsOption,
    PricesOption,
    ProviderOption,
    TierOption,
    TpotOption,
    TtftOption,
    money,
    weights_note,
)
from gpuatlas.cli.cost_rent import NO_ANSWER
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.output import console, new_table, print_json, print_model_note, print_name_notes
from gpuatlas.cli.terminal import working
from gpuatlas.economics.fleet import FleetPlan, PoolAssignment, layout_lines
from gpuatlas.economics.planning import Plan, PlanOption, replicas_of
from gpuatlas.errors import InvalidRequestError
from gpuatlas.numbers import format_given, format_wait_ms


def _default(name: str) -> Any:
    return field_default(ServingPlanRequest, name)


def plan_command(
    model: str = typer.Option(..., help="Model to serve."),
    weights: list[str] = PlanWeightsOption,
    rps: float = typer.Option(
        ...,
        "--rps",
        help="Arrival rate, requests per second; for chat users, users ÷ seconds between "
        "their messages (50 users, one message every 30 s: --rps 1.7).",
    ),
    input_tokens: float = MeanInputTokensOption,
    output_tokens: float = MeanOutputTokensOption,
    mean_output_tokens: float | None = EndOfSequenceOption,
    length_distribution: str = typer.Option(
        _default("length_distribution"),
        "--length-dist",
        help="fixed, exponential, uniform or lognormal.",
    ),
    arrival: str = typer.Option(
        _default("arrival"), help="poisson, or gamma (bursty, see --burstiness)."
    ),
    burstiness: float = typer.Option(
        _default("burstiness"), help="Gamma shape: < 1 burstier than Poisson."
    ),
    p95_ttft_ms: float | None = TtftOption,
    p95_tpot_ms: float | None = TpotOption,
    p95_e2e_ms: float | None = E2eOption,
    engine: str = EngineOption,
    gpus: list[str] = GpuOption,
    gpu_counts: list[int] = GpuCountOption,
    providers: list[str] = ProviderOption,
    tiers: list[str] = TierOption,
    top: int = typer.Option(_default("top"), help="Options to list."),
    replicas: int | None = typer.Option(
        None, help="Simulate exactly this many replicas per setup instead of searching."
    ),
    num_ctx: int | None = typer.Option(None, "--num-ctx", help=NUM_CTX_HELP),
    parallel: int | None = typer.Option(None, "--parallel", help=PARALLEL_HELP),
    host_ram_gb: float | None = typer.Option(None, "--host-ram-gb", help=HOST_RAM_HELP),
    max_usd_per_hour: float | None = typer.Option(
        None, "--max-usd-per-hour", help="Budget: only setups costing at most this per hour."
    ),
    max_usd_per_month: float | None = typer.Option(
        None, "--max-usd-per-month", help="Budget: only setups costing at most this a month."
    ),
    prices_file: list[Path] = PricesOption,
    as_json: bool = JsonOption,
) -> None:
    """The cheapest GPU setup that meets p95 latency targets at a traffic, ranked, explained."""
    values = {
        "model": model,
        "weights": weights,
        "rps": rps,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "mean_output_tokens": mean_output_tokens,
        "length_distribution": length_distribution,
        "arrival": arrival,
        "burstiness": burstiness,
        "p95_ttft_ms": p95_ttft_ms,
        "p95_tpot_ms": p95_tpot_ms,
        "p95_e2e_ms": p95_e2e_ms,
        "engine": engine,
        "gpus": gpus,
        "gpu_counts": gpu_counts,
        "providers": providers,
        "tiers": tiers,
        "top": top,
        "num_ctx": num_ctx,
        "parallel": parallel,
        "host_ram_gb": host_ram_gb,
        "max_usd_per_hour": max_usd_per_hour,
        "max_usd_per_month": max_usd_per_month,
    }
    with user_errors(), working("Simulating the candidate setups…"):
        request = plan_request(values, replicas)
        if as_json:  # the document of the answer layer, as /plan/plan.json returns it
            print_json(plan_document(request, prices_file, replicas))
            return
        plan = serving_plan(request, prices_file, replicas)
        assumed = weights_note(model, "auto", engine) if any(w == "auto" for w in weights) else ""
    if assumed:
        console.print(f"native {assumed}", highlight=False)
    _render_plan(plan)
    print_model_note(model)
    print_name_notes(list(gpus))
    if not any(option.meets_slo for option in plan.options):  # none, or only the closest
        raise typer.Exit(code=NO_ANSWER)  # no setup meets the request: a script can tell


def plan_request(values: dict[str, Any], replicas: int | None) -> ServingPlanRequest:
    """The request, with --replicas' own limit among its problems (it came on a later try)."""
    own = (
        [f"--replicas must be ≥ 1, got {replicas}"] if replicas is not None and replicas < 1 else []
    )
    try:
        request = parse_request(ServingPlanRequest, values)
    except InvalidRequestError as error:
        raise InvalidRequestError([*error.problems, *own]) from None
    if own:
        raise InvalidRequestError(own)
    return request


def _render_plan(plan: Plan) -> None:
    workload = plan.workload
    title = (
        f"{workload.model} served with {_engines_text(plan)} at {format_given(workload.rps)} req/s "
        f"({format_given(workload.input_tokens)} in / {workload.output_text()} out tokens), "
        f"{plan.slo.describe()}"
    )
    if plan.message:
        console.print(f"[bold red]{plan.message}[/]", highlight=False)
    if plan.options:
        console.print(_options_table(title, plan.options))
    if plan.explanation:
        for line in plan.explanation.lines:
            console.print(line, highlight=False)
    if plan.budget_note:
        console.print(plan.budget_note, highlight=False, markup=False)
    for line in plan.engine_notes:
        console.print(line, highlight=False)
    console.print(
        f"{plan.candidates} candidates assessed, {plan.simulated} simulated; "
        "latencies from the continuous-batching simulation (predicted).",
        highlight=False,
    )


def _engines_text(plan: Plan) -> str:
    """The engine(s) the listed options run, as users name them ('llama.cpp (metal)', not the
    profile id 'llama.cpp-metal'); the request's when none."""
    engines = list(
        dict.fromkeys(engine_shown_on(o.engine, o.gpu) for o in plan.options if o.engine)
    )
    return " / ".join(engines) if engines else plan.workload.engine


def floor_mark(option: PlanOption) -> str:
    """'≥ ' before a latency that is a lone request's floor (an option not simulated)."""
    return "" if option.simulated else "≥ "


def _options_table(title: str, options: tuple[PlanOption, ...]) -> Any:
    table = new_table(
        title,
        "#",
        "setup",
        "replicas",
        "offer",
        "$/month",
        "p95 TTFT",
        "p95 TPOT",
        "util.",
        "batch",
        "meets",
    )
    for rank, option in enumerate(options, start=1):
        table.add_row(
            str(rank),
            option.label,
            option.replicas_text,
            option.offer_label,
            money(option.monthly_cost_usd, 0),
            "overloaded"
            if option.overloaded
            else floor_mark(option) + format_wait_ms(option.p95_ttft_ms),
            f"{floor_mark(option)}{option.p95_tpot_ms:.1f} ms",
            f"{option.utilization:.0%}",
            # not simulated (a closest option from its lone-request floor): no mean batch
            f"{option.mean_batch:.0f}/{option.max_batch}"
            if option.mean_batch > 0
            else f"—/{option.max_batch}",
            "yes" if option.meets_slo else "no",
        )
    return table


def fleet_command(
    models: list[str] = typer.Option(..., "--model", help="MODEL=SHARE, e.g. llama-2-13b=0.7."),
    weights: list[str] = PlanWeightsOption,
    rps: float = typer.Option(..., "--rps", help="Total arrival rate, requests per second."),
    input_tokens: float = MeanInputTokensOption,
    output_tokens: float = MeanOutputTokensOption,
    mean_output_tokens: float | None = EndOfSequenceOption,
    p95_ttft_ms: float | None = TtftOption,
    p95_tpot_ms: float | None = TpotOption,
    p95_e2e_ms: float | None = E2eOption,
    engine: str = EngineOption,
    gpus: list[str] = GpuOption,
    gpu_counts: list[int] = GpuCountOption,
    providers: list[str] = ProviderOption,
    tiers: list[str] = TierOption,
    num_ctx: int | None = typer.Option(None, "--num-ctx", help=NUM_CTX_HELP),
    host_ram_gb: float | None = typer.Option(None, "--host-ram-gb", help=HOST_RAM_HELP),
    max_usd_per_hour: float | None = typer.Option(
        None, "--max-usd-per-hour", help="Budget: is the cheaper fleet within this per hour?"
    ),
    max_usd_per_month: float | None = typer.Option(
        None, "--max-usd-per-month", help="Budget: is the cheaper fleet within this a month?"
    ),
    prices_file: list[Path] = PricesOption,
    as_json: bool = JsonOption,
) -> None:
    """Several models sharing traffic: each on its cheapest pool vs one GPU type for all."""
    values = {
        "models": models,
        "weights": weights,
        "rps": rps,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "mean_output_tokens": mean_output_tokens,
        "p95_ttft_ms": p95_ttft_ms,
        "p95_tpot_ms": p95_tpot_ms,
        "p95_e2e_ms": p95_e2e_ms,
        "engine": engine,
        "gpus": gpus,
        "gpu_counts": gpu_counts,
        "providers": providers,
        "tiers": tiers,
        "num_ctx": num_ctx,
        "host_ram_gb": host_ram_gb,
        "max_usd_per_hour": max_usd_per_hour,
        "max_usd_per_month": max_usd_per_month,
    }
    with user_errors():
        request = parse_request(FleetPlanRequest, values)
        if as_json:
            print_json(fleet_document(request, prices_file))
            return
        fleet = fleet_plan(request, prices_file)
    _render_fleet(fleet)
    for line in layout_lines(fleet):
        console.print(line, highlight=False, markup=False)
    print_name_notes(list(gpus))


def _assignment_rows(table: Any, assignments: tuple[PoolAssignment, ...]) -> None:
    for item in assignments:
        option = item.option
        if option is None:
            table.add_row(
                item.model,
                f"{item.share:.0%}",
                format_given(item.rps),
                item.message or "no option",
                "—",
                "—",
            )
            continue
        table.add_row(
            item.model,
            f"{item.share:.0%}",
            format_given(item.rps),
            replicas_of(option, option.label),
            option.offer_label,
            money(option.monthly_cost_usd, 0),
        )


def _render_fleet(fleet: FleetPlan) -> None:
    if fleet.targets:
        console.print(f"Every pool sized for {fleet.targets}.", highlight=False, markup=False)
    if fleet.early_stop_note:
        console.print(fleet.early_stop_note, highlight=False, markup=False)
    mixed = new_table(
        f"Mixed fleet: {money(fleet.mixed_monthly_cost_usd, 0)}/month",
        "model",
        "share",
        "req/s",
        "pool",
        "offer",
        "$/month",
    )
    _assignment_rows(mixed, fleet.mixed)
    console.print(mixed)
    single = fleet.single_type
    if single is None:
        console.print("no single GPU type (from one provider) serves every model")
        return
    table = new_table(
        f"Best single-type fleet ({single.gpu} on {single.provider}, {single.tier}): "
        f"{money(single.monthly_cost_usd, 0)}/month",
        "model",
        "share",
        "req/s",
        "pool",
        "offer",
        "$/month",
    )
    _assignment_rows(table, single.assignments)
    console.print(table)
    if fleet.saving_usd_per_month is not None and fleet.saving_pct is not None:
        console.print(
            f"The mixed fleet saves {money(fleet.saving_usd_per_month, 0)}/month "
            f"({fleet.saving_pct:.0f}%).",
            highlight=False,
        )
    if fleet.budget_note:
        console.print(fleet.budget_note, highlight=False, markup=False)
