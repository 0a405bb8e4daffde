"""The sentence comparing what serving the focus model costs on each side at its reference
price (LLM inference states it; the guidance answers 'which is cheaper to serve' with it)."""

from __future__ import annotations

from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Quantity, Statement
from gpuatlas.report.focus import modelled_comparison
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.llm import per_million_tokens
from gpuatlas.report.quantities import price_quantity
from gpuatlas.report.rental_prices import like_for_like_prices, price_words


def serving_cost_statement(
    context: ReportContext, a: SideProfile, b: SideProfile
) -> Statement | None:
    """Cost per 1M output tokens at full load on each side's reference price, both of one
    tier where both sides rent in one (`like_for_like_prices`); None when a side has no
    price."""
    if a.reference_price is None or b.reference_price is None:
        return None
    a_price, b_price = like_for_like_prices(
        (a.system, b.system), (a.reference_price, b.reference_price), a.focus.provider
    )
    # the offers named, as `cost` names its cheapest offer: provider, tier, date, caveats
    offers = f"{context.a_label}: {price_words(a_price)}; {context.b_label}: {price_words(b_price)}"
    same_as_references = (a_price, b_price) == (a.reference_price, b.reference_price)
    prices = "the reference prices" if same_as_references else "prices of one tier"
    return modelled_comparison(
        f"Cost per 1M output tokens at {prices} ({offers})",
        context.a_label,
        context.b_label,
        _cost(a, a_price),
        _cost(b, b_price),
        higher_is_better=False,
        style="usd",
    )


def _cost(side: SideProfile, price: PriceSnapshot) -> Quantity:
    """The side's cost per 1M output tokens at full load on its system's price."""
    hourly = price_quantity(price, price.usd_per_gpu_hour * side.system.gpu_count)
    return per_million_tokens(hourly, side.speed.serving_tok_s)


def one_side_priced_statement(
    context: ReportContext, a: SideProfile, b: SideProfile
) -> Statement | None:
    """When exactly one side has a reference price (a Mac, a card no cloud rents): no
    comparison, the side without a price named, and the priced side's cost per 1M output
    tokens; None when both or neither are priced or the priced side has no throughput."""
    sides = ((context.a_label, a), (context.b_label, b))
    priced = [(label, side) for label, side in sides if side.reference_price is not None]
    unpriced = [label for label, side in sides if side.reference_price is None]
    if len(priced) != 1:
        return None
    label, side = priced[0]
    price = side.reference_price
    assert price is not None  # filtered above
    cost = _cost(side, price)
    if cost.value is None:
        return None
    return Statement(
        kind="fact",
        template="No price comparison: {unpriced} has no rental offer in the price table; "
        "{priced} costs {cost:usd} per 1M output tokens at its reference price (modelled; "
        "ranges in the cost table).",
        numbers={"cost": cost},
        words={"unpriced": unpriced[0], "priced": label},
    )
