"""Cloud pricing by provider and tier with dates; $/GB of VRAM; 24-hour and 30-day costs."""

from __future__ import annotations

from gpuatlas.catalog.prices import PriceSnapshot, current_prices
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Quantity, Section, Statement, Table, Text
from gpuatlas.report.quantities import computed, gpu_fact, price_quantity

HOURS_PER_30_DAYS = 24 * 30
RENTAL_TIERS = ("on-demand", "community")
COLUMNS = (
    "Provider",
    "Tier",
    "Offer",
    "$/GPU-hour",
    "$/GB VRAM-hour",
    "24 h",
    "30 days",
    "Observed",
)


def reference_price(system: GpuSystem, provider: str | None) -> PriceSnapshot | None:
    """The price other sections use: the chosen provider's cheapest rental offer if it lists
    this GPU, else the cheapest on-demand or community offer anywhere (offers that name this
    exact variant preferred over ones where the provider's variant was assumed). Only offers
    that can host the whole system on one instance count (a 1-GPU instance type cannot be a
    2-GPU system)."""
    from gpuatlas.estimate.cost import can_host

    offers = [
        s
        for s in current_prices(system.gpu.id)
        if s.tier in RENTAL_TIERS and can_host(s, system.gpu_count)
    ]
    exact = [s for s in offers if s.gpu_match == "exact"]
    offers = exact or offers
    if provider:
        chosen = [s for s in offers if s.provider.lower() == provider.lower()]
        if chosen:
            return chosen[0]
    return offers[0] if offers else None


def price_words(snapshot: PriceSnapshot) -> str:
    """'RunPod community, 2026-09-25' — the tier is always named."""
    return f"{snapshot.provider} {snapshot.tier}, {snapshot.observed_date}"


def _offer_text(snapshot: PriceSnapshot) -> str:
    if snapshot.gpus_per_instance > 1:
        instance = snapshot.usd_per_instance_hour
        name = snapshot.offer or f"{snapshot.gpus_per_instance}-GPU instance"
        return f"{name}: ${instance:,.2f}/h ÷ {snapshot.gpus_per_instance} GPUs"
    assumed = " (variant assumed)" if snapshot.gpu_match == "assumed" else ""
    return (snapshot.offer or "1 GPU") + assumed


def price_row(system: GpuSystem, snapshot: PriceSnapshot) -> tuple[Cell, ...]:
    hourly = price_quantity(snapshot)
    memory = gpu_fact(system.gpu, system.gpu.memory_gb, "GB")
    per_gb = computed(
        _divide(snapshot.usd_per_gpu_hour, system.gpu.memory_gb),
        "USD",
        "$/GPU-hour ÷ GB of VRAM",
        hourly,
        memory,
    )
    count = system.gpu_count
    day = computed(
        snapshot.usd_per_gpu_hour * 24 * count, "USD", f"$/GPU-hour × 24 h × {count}", hourly
    )
    month = computed(
        snapshot.usd_per_gpu_hour * HOURS_PER_30_DAYS * count,
        "USD",
        f"$/GPU-hour × 720 h × {count}",
        hourly,
    )
    return (
        Text(snapshot.provider),
        Text(snapshot.tier),
        Text(_offer_text(snapshot)),
        hourly,
        per_gb,
        day,
        month,
        Text(snapshot.observed_date),
    )


def _divide(numerator: float, denominator: float | None) -> float | None:
    return numerator / denominator if denominator else None


def price_table(label: str, system: GpuSystem, provider: str | None) -> Table:
    snapshots = current_prices(system.gpu.id)
    if provider:
        snapshots = [s for s in snapshots if s.provider.lower() == provider.lower()] or snapshots
    rows = tuple(price_row(system, s) for s in snapshots)
    scope = "" if system.gpu_count == 1 else f" (24 h and 30 days for all {system.gpu_count} GPUs)"
    notes = (
        "Prices are list prices per GPU-hour as observed on the date shown; a multi-GPU "
        "instance's price is divided by its GPU count. 'community' = marketplace/community "
        "capacity (e.g. RunPod Community Cloud), not the provider's secure on-demand tier.",
    )
    return Table(
        f"prices-{system.gpu.id}",
        f"{label}: current cloud prices{scope}",
        COLUMNS,
        rows,
        notes if rows else ("No price in the catalog for this GPU.",),
    )


def cheapest_statement(context: ReportContext) -> Statement | None:
    a = reference_price(context.a, context.options.provider)
    b = reference_price(context.b, context.options.provider)
    if a is None or b is None:
        return None
    qa = _system_hourly(a, context.a.gpu_count)
    qb = _system_hourly(b, context.b.gpu_count)
    words = {
        "a": context.a_label,
        "b": context.b_label,
        "a_where": price_words(a),
        "b_where": price_words(b),
    }
    numbers = {"a_price": qa, "b_price": qb}
    assert qa.value is not None and qb.value is not None
    template = "Cheapest rental: {a} {a_price:usd}/h ({a_where}); {b} {b_price:usd}/h ({b_where})."
    if qa.value != qb.value:
        cheaper, dearer = ("a", "b") if qa.value < qb.value else ("b", "a")
        numbers["ratio"] = computed(
            max(qa.value, qb.value) / min(qa.value, qb.value),
            "×",
            "higher ÷ lower hourly price",
            qa,
            qb,
        )
        template += " {" + dearer + "} costs {ratio:ratio} as much per hour as {" + cheaper + "}."
    return Statement(kind="fact", template=template, numbers=numbers, words=words)


def _system_hourly(snapshot: PriceSnapshot, gpu_count: int) -> Quantity:
    single = price_quantity(snapshot)
    if gpu_count == 1:
        return single
    return computed(
        snapshot.usd_per_gpu_hour * gpu_count, "USD", f"$/GPU-hour × {gpu_count} GPUs", single
    )


def build_pricing(context: ReportContext) -> Section:
    tables = tuple(
        price_table(label, system, context.options.provider) for label, system in context.systems()
    )
    statement = cheapest_statement(context)
    notes: tuple[str, ...] = ()
    if context.options.provider:
        notes = (
            f"Provider filter: {context.options.provider} (other providers shown where it "
            "lists no offer for a GPU).",
        )
    return Section(
        id="pricing",
        title="Cloud pricing",
        tables=tables,
        statements=(statement,) if statement else (),
        notes=notes,
    )
