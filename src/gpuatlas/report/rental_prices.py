"""The rental price every section that costs a system uses: the offers that can host it, the
reference offer (the chosen provider's or the cheapest, rental tiers first), why there is none,
and the words that name an offer's provider, tier and date."""

from __future__ import annotations

from gpuatlas.catalog.prices import PriceSnapshot, current_prices
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.offer_costs import can_host, named_variant_first
from gpuatlas.numbers import with_article

RENTAL_TIERS = ("on-demand", "community")


def hostable_offers(system: GpuSystem) -> list[PriceSnapshot]:
    """Current offers (cheapest first) that can host the whole system on one instance (a
    1-GPU instance type cannot be a 2-GPU system)."""
    return [s for s in current_prices(system.gpu.id) if can_host(s, system.gpu_count)]


def reference_price(system: GpuSystem, provider: str | None) -> PriceSnapshot | None:
    """The price other sections use: the chosen provider's cheapest offer if it lists this
    GPU, else the cheapest — preferring, in order, an on-demand or community offer that names
    this exact variant, one whose variant was assumed, then any tier (spot, reserved) exact,
    then assumed. So a GPU whose only listed offer is spot still gets a price (its words name
    the tier), and 'no price' means the price table has no offer that can host it."""
    offers = hostable_offers(system)
    rental = [s for s in offers if s.tier in RENTAL_TIERS]
    for pool in (rental, offers):
        chosen = named_variant_first(pool, lambda snapshot: snapshot.gpu_match)
        if provider:
            mine = [s for s in chosen if s.provider.lower() == provider.lower()]
            chosen = mine or chosen
        if chosen:
            return chosen[0]
    return None


def reference_price_in_tier(
    system: GpuSystem, provider: str | None, tier: str
) -> PriceSnapshot | None:
    """`reference_price` among the offers of one tier (an exact variant first, the chosen
    provider's if it lists one); None when no offer of that tier hosts the system."""
    in_tier = [s for s in hostable_offers(system) if s.tier == tier]
    chosen = named_variant_first(in_tier, lambda snapshot: snapshot.gpu_match)
    if provider:
        chosen = [s for s in chosen if s.provider.lower() == provider.lower()] or chosen
    return chosen[0] if chosen else None


def like_for_like_prices(
    systems: tuple[GpuSystem, GpuSystem],
    references: tuple[PriceSnapshot, PriceSnapshot],
    provider: str | None,
) -> tuple[PriceSnapshot, PriceSnapshot]:
    """Two sides' prices of one tier, so a cost verdict never rests on the tier (a 3090 whose
    only offer is Vast.ai spot against a 4090 on RunPod community): the references when their
    tiers agree, else each side's cheapest offer in the first of the two tiers both rent in,
    else the references (their words name the tiers)."""
    a_ref, b_ref = references
    if a_ref.tier == b_ref.tier:
        return references
    for tier in (a_ref.tier, b_ref.tier):
        a_same = reference_price_in_tier(systems[0], provider, tier)
        b_same = reference_price_in_tier(systems[1], provider, tier)
        if a_same is not None and b_same is not None:
            return a_same, b_same
    return references


def no_rental_reason(system: GpuSystem) -> str:
    """Why reference_price found nothing, in the words the price table would support."""
    if not current_prices(system.gpu.id):
        return "no price in the catalog"
    return f"no listed offer hosts {system.gpu_count} GPUs on one instance"


def _per_gpu_of_instance(snapshot: PriceSnapshot) -> str:
    """'per GPU of an 8-GPU instance', 'per GPU of a 4-GPU instance'."""
    return f"per GPU of {with_article(str(snapshot.gpus_per_instance))}-GPU instance"


def price_words(snapshot: PriceSnapshot) -> str:
    """'RunPod community, 2026-09-25' — the tier is always named, and a per-GPU price taken
    from a multi-GPU instance or an assumed variant says so."""
    extra = []
    if snapshot.gpus_per_instance > 1:
        extra.append(_per_gpu_of_instance(snapshot))
    if snapshot.gpu_match == "assumed":
        extra.append("variant assumed")
    suffix = f"; {', '.join(extra)}" if extra else ""
    return f"{snapshot.provider} {snapshot.tier}, {snapshot.observed_date}{suffix}"


def offer_caveats(snapshot: PriceSnapshot) -> list[str]:
    """What a reader must know about an offer's price beside its provider, tier and date: the
    GPU variant was assumed (the provider does not name it), the end of a captured range."""
    return list(snapshot.caveats)


def offer_label(snapshot: PriceSnapshot) -> str:
    """'Vast.ai (on-demand, 2026-06; variant assumed; low end of captured range)': an offer
    named as the price table names it, so a row of a cost table can be told from its
    neighbours and matched with the price section."""
    caveats = offer_caveats(snapshot)
    if snapshot.gpus_per_instance > 1:
        caveats.insert(0, _per_gpu_of_instance(snapshot))
    suffix = "".join(f"; {caveat}" for caveat in caveats)
    return f"{snapshot.provider} ({snapshot.tier}, {snapshot.observed_date}{suffix})"
