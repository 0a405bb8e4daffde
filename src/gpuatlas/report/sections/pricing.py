"""Cloud pricing by provider and tier with dates; $/GB of VRAM; 24-hour and 30-day costs."""

from __future__ import annotations

from gpuatlas.catalog.prices import PriceSnapshot, current_prices
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.offer_costs import named_variant_first
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Quantity, Section, Statement, Table, Text
from gpuatlas.report.phrasing import USD_PER_GB_HOUR
from gpuatlas.report.quantities import computed, gpu_fact, price_quantity
from gpuatlas.report.rental_prices import hostable_offers, offer_caveats, price_words

HOURS_PER_30_DAYS = 24 * 30
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


def _offer_text(snapshot: PriceSnapshot) -> str:
    if snapshot.gpus_per_instance > 1:
        instance = snapshot.usd_per_instance_hour
        name = snapshot.offer or f"{snapshot.gpus_per_instance}-GPU instance"
        text = f"{name}: ${instance:,.2f}/h ÷ {snapshot.gpus_per_instance} GPUs (per-GPU price)"
    else:
        text = snapshot.offer or "1 GPU"
    labels = offer_caveats(snapshot)
    return f"{text} ({'; '.join(labels)})" if labels else text


def price_row(system: GpuSystem, snapshot: PriceSnapshot) -> tuple[Cell, ...]:
    hourly = price_quantity(snapshot)
    memory = gpu_fact(system.gpu, system.gpu.gpu_usable_memory_gb, "GB")  # a Mac: GPU share
    per_gb = computed(
        _divide(snapshot.usd_per_gpu_hour, system.gpu.gpu_usable_memory_gb),
        USD_PER_GB_HOUR,
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


def cheapest_offers(
    system: GpuSystem, provider: str | None
) -> tuple[PriceSnapshot | None, PriceSnapshot | None]:
    """(cheapest of any tier, cheapest on-demand) among offers that can host the system and
    name its exact variant (offers with an assumed variant count only when there is no other;
    their words then say so). With a provider filter, that provider's offers when it has any."""
    offers = hostable_offers(system)
    if provider:
        offers = [s for s in offers if s.provider.lower() == provider.lower()] or offers
    offers = named_variant_first(offers, lambda snapshot: snapshot.gpu_match)
    on_demand = [s for s in offers if s.tier == "on-demand"]
    return (offers[0] if offers else None), (on_demand[0] if on_demand else None)


KIND_WORDS = {"any": "rental", "od": "on-demand"}


def _assumed_left_out(system: GpuSystem, chosen: PriceSnapshot) -> bool:
    return chosen.gpu_match == "exact" and any(
        s.gpu_match == "assumed" for s in hostable_offers(system)
    )


def _side_words(
    side: str,
    label: str,
    kind: str,
    snapshot: PriceSnapshot | None,
    count: int,
    numbers: dict[str, Quantity],
    words: dict[str, str],
) -> str:
    words[f"{side}_label"] = label
    if snapshot is None:
        return "{" + side + "_label} no " + KIND_WORDS[kind] + " offer"
    numbers[f"{side}_{kind}"] = _system_hourly(snapshot, count)
    words[f"{side}_{kind}_where"] = price_words(snapshot)
    name = f"{side}_{kind}"
    return "{" + side + "_label} {" + name + ":usd}/h ({" + name + "_where})"


def cheapest_statement(context: ReportContext) -> Statement | None:
    """'Cheapest rental of any tier: A $x/h (provider tier, date), B …; cheapest on-demand:
    A …, B …' — the tier always named, on-demand beside any tier, assumed variants left out."""
    provider = context.options.provider
    a_any, a_od = cheapest_offers(context.a, provider)
    b_any, b_od = cheapest_offers(context.b, provider)
    if a_any is None or b_any is None:
        return None
    numbers: dict[str, Quantity] = {}
    words: dict[str, str] = {}
    parts = []
    kinds = (("any", "any tier", (a_any, b_any)), ("od", "on-demand", (a_od, b_od)))
    for kind, title, pair in kinds:
        sides = [
            _side_words("a", context.a_label, kind, pair[0], context.a.gpu_count, numbers, words),
            _side_words("b", context.b_label, kind, pair[1], context.b.gpu_count, numbers, words),
        ]
        parts.append(f"cheapest {title}: " + ", ".join(sides))
    template = "Cheapest rental — " + "; ".join(parts) + "."
    if _assumed_left_out(context.a, a_any) or _assumed_left_out(context.b, b_any):
        template += (
            " Offers whose GPU variant the provider does not name are left out (the price "
            "tables list them, labelled)."
        )
    template += _ratio_clause(numbers, words)
    return Statement(kind="fact", template=template, numbers=numbers, words=words)


def _ratio_clause(numbers: dict[str, Quantity], words: dict[str, str]) -> str:
    kind = "od" if "a_od" in numbers and "b_od" in numbers else "any"
    qa, qb = numbers[f"a_{kind}"], numbers[f"b_{kind}"]
    assert qa.value is not None and qb.value is not None
    if qa.value == qb.value:
        return ""
    cheaper, dearer = ("a", "b") if qa.value < qb.value else ("b", "a")
    numbers["ratio"] = computed(
        max(qa.value, qb.value) / min(qa.value, qb.value),
        "×",
        "higher ÷ lower hourly price",
        qa,
        qb,
    )
    words["basis"] = "on-demand" if kind == "od" else "the cheapest (any tier)"
    return (
        " At {basis} prices {"
        + dearer
        + "_label} costs {ratio:ratio} as much per hour as {"
        + cheaper
        + "_label}."
    )


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
