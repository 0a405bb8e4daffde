"""LLM inference: single-user decode and TTFT, serving throughput, a serving scenario at two
traffic levels (replicas, p95 latency), and $/1M tokens and $/request per provider — each GPU's
cost from its own modelled throughput."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.prices import PriceSnapshot, current_prices
from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Provenance, Quantity, Section, Statement, Table, Text
from gpuatlas.report.platform_engines import engines_statement
from gpuatlas.report.quantities import computed, estimate_quantity, price_quantity
from gpuatlas.report.sections.focus import (
    OUTPUT_TOKENS,
    attempt_or_reason,
    engine_of,
    focus_model,
    focus_weights,
    missing,
    modelled_comparison,
    prompt_tokens,
)
from gpuatlas.report.sections.pricing import RENTAL_TIERS, price_words, reference_price
from gpuatlas.report.side_cache import side_cached

TRAFFIC_LEVELS_RPS = (10.0, 100.0)
SERVING_INPUT_TOKENS = 512
P95_TTFT_TARGET_MS = 1000.0
P95_TPOT_TARGET_MS = 100.0


@dataclass(frozen=True)
class SideSpeed:
    decode_tok_s: Quantity
    ttft_ms: Quantity
    serving_tok_s: Quantity
    serving_layout: str = ""  # "4 replicas of 1 GPU each", "one replica over 2 GPUs (…)"
    engine: str = ""  # the engine's label: "vLLM", "llama.cpp (Metal)"
    replica_gpus: int = 0  # GPUs per replica in the serving layout (0: the whole system)


def side_speed(system: GpuSystem, context: ReportContext) -> SideSpeed:
    """Decode, TTFT and serving throughput of one side (cached per system and focus)."""
    focus = (focus_model(context), focus_weights(context), prompt_tokens(context),
             engine_of(context, system).engine)
    return side_cached("side-speed", system, focus, lambda: _side_speed(system, context))


def _side_speed(system: GpuSystem, context: ReportContext) -> SideSpeed:
    from gpuatlas.performance.api import predict_llm, serving_layout

    model, weights = focus_model(context), focus_weights(context)
    engine = engine_of(context, system)
    single = attempt_or_reason(
        lambda: predict_llm(
            system,
            model,
            weights,
            engine.engine,
            batch=1,
            input_tokens=prompt_tokens(context),
            output_tokens=OUTPUT_TOKENS,
        )
    )
    serving = attempt_or_reason(
        lambda: serving_layout(
            system,
            model,
            weights,
            engine.engine,
            concurrency="max",
            input_tokens=SERVING_INPUT_TOKENS,
            output_tokens=OUTPUT_TOKENS,
        )
    )
    if isinstance(single, str):
        decode, ttft = missing(single), missing(single)
    else:
        decode, ttft = estimate_quantity(single.decode_tok_s), estimate_quantity(single.ttft_ms)
    if isinstance(serving, str):
        throughput, layout, group = missing(serving), "", system.gpu_count
    else:
        throughput, layout = estimate_quantity(serving.output_tok_s), serving.layout.description
        group = serving.layout.tensor_parallel
    return SideSpeed(decode, ttft, throughput, layout, engine.label, group)


def speed_table(a: SideSpeed, b: SideSpeed, context: ReportContext) -> Table:
    rows: tuple[tuple[Cell, ...], ...] = (
        (Text("Single-user decode"), a.decode_tok_s, b.decode_tok_s),
        (
            Text(f"Time to first token ({prompt_tokens(context):,}-token prompt)"),
            a.ttft_ms,
            b.ttft_ms,
        ),
        (
            Text("Serving throughput, max concurrency (output tok/s)"),
            a.serving_tok_s,
            b.serving_tok_s,
        ),
    )
    if a.serving_layout or b.serving_layout:
        layout_row: tuple[Cell, ...] = (
            Text("Serving layout (the fastest for this model)"),
            Text(a.serving_layout or "—"),
            Text(b.serving_layout or "—"),
        )
        rows = (*rows, layout_row)
    rows = (*rows, (Text("Engine"), Text(a.engine or "—"), Text(b.engine or "—")))
    engines = a.engine if a.engine == b.engine else "each side's usual engine"
    title = (
        f"{focus_model(context)} in {focus_weights(context)} on {engines} "
        "(modelled, range = calibration band)"
    )
    return Table("llm-speed", title, ("Metric", "A", "B"), rows)


def speed_statements(a: SideSpeed, b: SideSpeed, context: ReportContext) -> list[Statement]:
    candidates = [
        modelled_comparison(
            "Single-user decode", context.a_label, context.b_label, a.decode_tok_s, b.decode_tok_s
        ),
        modelled_comparison(
            "Time to first token",
            context.a_label,
            context.b_label,
            a.ttft_ms,
            b.ttft_ms,
            higher_is_better=False,
        ),
        modelled_comparison(
            "Serving throughput", context.a_label, context.b_label, a.serving_tok_s, b.serving_tok_s
        ),
    ]
    return [s for s in candidates if s is not None]


def unavailable_statements(a: SideSpeed, b: SideSpeed, context: ReportContext) -> list[Statement]:
    """Why a side has no modelled LLM speed, in full (a table cell shows only short reasons)."""
    statements = []
    for label, speed in ((context.a_label, a), (context.b_label, b)):
        if speed.decode_tok_s.value is None:
            words = {"system": label, "engine": speed.engine, "model": focus_model(context),
                     "weights": focus_weights(context),
                     "reason": speed.decode_tok_s.provenance.source}
            statements.append(Statement(
                kind="fact", words=words,
                template="No modelled LLM speed for {system} ({model} in {weights} on {engine}): "
                         "{reason}" + _smaller_format_hint(words["reason"]) + "."))
    return statements


def _smaller_format_hint(reason: str) -> str:
    if "does not fit" not in reason:
        return ""
    return ("; a smaller weight format may fit (the VRAM-fit table lists them; pass it with "
            "--weights)")


def scenario_row(
    system: GpuSystem, label: str, rps: float, context: ReportContext, price: PriceSnapshot | None
) -> tuple[Cell, ...]:
    from gpuatlas.economics.serving_candidate import Slo, Workload, assess, fewest_replicas

    workload = Workload(
        focus_model(context), focus_weights(context), rps, SERVING_INPUT_TOKENS, OUTPUT_TOKENS,
        engine=engine_of(context, system).engine,
    )
    slo = Slo(p95_ttft_ms=P95_TTFT_TARGET_MS, p95_tpot_ms=P95_TPOT_TARGET_MS)
    found = fewest_replicas(assess(system, workload, slo), workload, slo)
    group = _replica_group(system, context)
    if group is not None:  # replicas of the serving layout's group, when they meet the SLOs
        in_groups = fewest_replicas(assess(group, workload, slo), workload, slo)
        if in_groups.run is not None and in_groups.status == "ok":
            found, system = in_groups, group
    head: tuple[Cell, ...] = (Text(label), Text(f"{rps:g} req/s"))
    if found.run is None or found.status != "ok":
        return (
            *head,
            Text(f"— ({found.status}: {found.reason})"),
            Text(""),
            Text(""),
            Text(""),
            Text(""),
        )
    run = found.run
    provenance = Provenance(
        kind="modelled",
        source="gpuatlas serving simulation",
        model="gpuatlas.serving-sim/1",
        calibration_version=_calibration(),
    )
    replicas = Quantity(float(run.replicas), "", provenance)
    ttft = Quantity(run.latency.p95_ttft_ms, "ms", provenance)
    tpot = Quantity(run.latency.p95_tpot_ms, "ms", provenance)
    util = Quantity(run.utilization * 100, "%", provenance)
    cost: Cell = Text("no price")
    if price is not None:
        hourly = price.usd_per_gpu_hour * system.gpu_count * run.replicas
        cost = computed(
            hourly / (rps * 3600) * 1000,
            "USD",
            f"replicas × GPUs × $/GPU-hour ÷ (req/s × 3600) × 1000, {price_words(price)}",
            replicas,
            price_quantity(price),
        )
    return (*head, Text(f"{run.replicas} × {system.label}"), ttft, tpot, util, cost)


def _replica_group(system: GpuSystem, context: ReportContext) -> GpuSystem | None:
    """The serving layout's replica (e.g. one RTX 4090 of a 4x RTX 4090 system serving an 8B
    model), when smaller than the whole system."""
    size = side_speed(system, context).replica_gpus
    if not 0 < size < system.gpu_count:
        return None
    return build_system(system.gpu, size, system.network.id if system.network else None)


def _calibration() -> str:
    from gpuatlas.performance.calibration_table import current_calibration

    return str(getattr(current_calibration(), "version", "unknown"))


def side_scenario_rows(
    label: str, system: GpuSystem, context: ReportContext
) -> tuple[tuple[Cell, ...], ...]:
    """One side's rows of the serving scenario (cached: the simulation is the costly part)."""

    def compute() -> tuple[tuple[Cell, ...], ...]:
        price = reference_price(system, context.options.provider)
        return tuple(scenario_row(system, label, rps, context, price) for rps in TRAFFIC_LEVELS_RPS)

    focus = (label, focus_model(context), focus_weights(context), context.options.provider,
             engine_of(context, system).engine)
    return side_cached("serving-scenario", system, focus, compute)


def scenario_table(context: ReportContext) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for label, system in context.systems():
        rows += side_scenario_rows(label, system, context)
    notes = (
        f"Requests of {SERVING_INPUT_TOKENS} input and {OUTPUT_TOKENS} output tokens, "
        f"Poisson arrivals; targets p95 TTFT ≤ {P95_TTFT_TARGET_MS:g} ms and p95 time per "
        f"output token ≤ {P95_TPOT_TARGET_MS:g} ms; replicas = fewest that meet both in the "
        "simulation; a replica is the serving layout's group (one GPU of a multi-GPU system "
        "when the model fits one and that meets the targets, else the whole system). "
        "$/1k requests uses each system's own replica count and its reference price.",
    )
    return Table(
        "serving-scenario",
        "Serving scenario at two traffic levels",
        (
            "System",
            "Traffic",
            "Replicas needed",
            "p95 TTFT",
            "p95 TPOT",
            "Utilisation",
            "$/1k requests",
        ),
        tuple(rows),
        notes,
    )


def offer_rows(
    label: str, system: GpuSystem, speed: SideSpeed, provider: str | None
) -> list[tuple[Cell, ...]]:
    """One side's offers with their costs (cached per system, speed and provider)."""
    rows = side_cached(
        "llm-offers", system, (label, speed, provider),
        lambda: tuple(_offer_rows(label, system, speed, provider)),
    )
    return list(rows)


def _offer_rows(
    label: str, system: GpuSystem, speed: SideSpeed, provider: str | None
) -> list[tuple[Cell, ...]]:
    offers = [s for s in current_prices(system.gpu.id) if s.tier in (*RENTAL_TIERS, "spot")]
    if provider:
        offers = [s for s in offers if s.provider.lower() == provider.lower()] or offers
    rows: list[tuple[Cell, ...]] = []
    throughput = speed.serving_tok_s
    for offer in offers:
        hourly = offer.usd_per_gpu_hour * system.gpu_count
        per_million = _per_million(hourly, throughput)
        per_thousand_requests = _scaled(per_million, OUTPUT_TOKENS / 1e3, "USD")
        rows.append(
            (
                Text(label),
                Text(f"{offer.provider} ({offer.tier}, {offer.observed_date})"),
                price_quantity(offer, hourly),
                per_million,
                per_thousand_requests,
            )
        )
    return rows


def _per_million(hourly: float, throughput: Quantity) -> Quantity:
    if throughput.value is None:
        return missing("no throughput")
    factor = hourly / 3600 * 1e6
    low = factor / throughput.high if throughput.high else None
    high = factor / throughput.low if throughput.low else None
    quantity = computed(
        factor / throughput.value,
        "USD",
        "$/hour ÷ (output tok/s × 3600) × 1e6, own modelled throughput",
        throughput,
    )
    return Quantity(quantity.value, "USD", quantity.provenance, low, high)


def _scaled(quantity: Quantity, factor: float, unit: str) -> Quantity:
    if quantity.value is None:
        return quantity
    low = quantity.low * factor if quantity.low is not None else None
    high = quantity.high * factor if quantity.high is not None else None
    return Quantity(quantity.value * factor, unit, quantity.provenance, low, high)


def cost_table(a: SideSpeed, b: SideSpeed, context: ReportContext) -> Table:
    rows = offer_rows(context.a_label, context.a, a, context.options.provider)
    rows += offer_rows(context.b_label, context.b, b, context.options.provider)
    notes = (
        f"Cost per request = {OUTPUT_TOKENS} output tokens at the system's own modelled "
        "throughput at full load (never a shared request rate); ranges follow the "
        "throughput range.",
    )
    return Table(
        "llm-cost",
        f"Cost per 1M output tokens and per request ({focus_model(context)})",
        ("System", "Offer", "$/hour (system)", "$/1M output tokens", "$/1k requests"),
        tuple(rows),
        notes,
    )


def cost_statement(a: SideSpeed, b: SideSpeed, context: ReportContext) -> Statement | None:
    a_price = reference_price(context.a, context.options.provider)
    b_price = reference_price(context.b, context.options.provider)
    if a_price is None or b_price is None:
        return None
    a_cost = _per_million(a_price.usd_per_gpu_hour * context.a.gpu_count, a.serving_tok_s)
    b_cost = _per_million(b_price.usd_per_gpu_hour * context.b.gpu_count, b.serving_tok_s)
    return modelled_comparison(
        "Cost per 1M output tokens at the reference prices",
        context.a_label,
        context.b_label,
        a_cost,
        b_cost,
        higher_is_better=False,
        style="usd",
    )


def build_inference(context: ReportContext) -> Section:
    a, b = side_speed(context.a, context), side_speed(context.b, context)
    statements = speed_statements(a, b, context)
    differ = engines_statement(context.a_label, engine_of(context, context.a),
                               context.b_label, engine_of(context, context.b))
    if differ is not None:
        statements.insert(0, differ)
    statements += unavailable_statements(a, b, context)
    cost = cost_statement(a, b, context)
    if cost is not None:
        statements.append(cost)
    tables = (speed_table(a, b, context), scenario_table(context), cost_table(a, b, context))
    return Section(
        id="inference", title="LLM inference", tables=tables, statements=tuple(statements)
    )
