"""The LLM cost table names each offer as the price section does (issue 10): an offer whose GPU
variant the provider does not name says "variant assumed", and the two ends of a captured price
range say which end they are. Before, the A100 80GB SXM4's cheapest rows (Paperspace $1.15/h,
Vast.ai $1.17 and $1.21/h: variant not named) read as plain on-demand offers, below the
summary's "cheapest on-demand: $1.60/h", which leaves such offers out; and Vast.ai's two ends
read as two identical offers."""

from __future__ import annotations

from gpuatlas.catalog.prices import current_prices
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.report import Comparison
from gpuatlas.report.document import Text
from gpuatlas.report.rental_prices import hostable_offers, offer_label


def _offers(comparison: Comparison, side_label: str) -> list[str]:
    tables = [t for section in comparison.sections for t in section.tables]
    rows = next(t for t in tables if t.id == "llm-cost").rows
    return [
        row[1].text
        for row in rows
        if isinstance(row[0], Text) and row[0].text == side_label and isinstance(row[1], Text)
    ]


def test_an_offer_of_an_unnamed_variant_says_so_in_the_cost_table(
    a100_vs_4090: Comparison,
) -> None:
    offers = _offers(a100_vs_4090, "A100 80GB SXM4")
    assumed = [p for p in current_prices("a100-80gb-sxm") if p.gpu_match == "assumed"]
    assert assumed, "the catalog lists A100 offers whose variant the provider does not name"
    assert sum("variant assumed" in offer for offer in offers) == len(
        [p for p in assumed if p.tier in ("on-demand", "community", "spot")]
    )
    paperspace = [o for o in offers if o.startswith("Paperspace")]
    assert paperspace == ["Paperspace (DigitalOcean) (on-demand, 2026-09-20; variant assumed)"]


def test_each_cost_row_of_a_side_names_a_different_offer(a100_vs_4090: Comparison) -> None:
    for side in ("A100 80GB SXM4", "RTX 4090"):
        offers = _offers(a100_vs_4090, side)
        assert len(offers) == len(set(offers)), offers
    vast = [o for o in _offers(a100_vs_4090, "A100 80GB SXM4") if o.startswith("Vast.ai")]
    assert any("low end of captured range" in o for o in vast)
    assert any("high end of captured range" in o for o in vast)


def test_a_per_gpu_price_of_a_larger_instance_says_so() -> None:
    system = resolve_system("a100-80gb-sxm")
    multi = [p for p in hostable_offers(system) if p.gpus_per_instance > 1]
    assert multi
    for price in multi:
        article = "an" if price.gpus_per_instance == 8 else "a"
        assert f"per GPU of {article} {price.gpus_per_instance}-GPU instance" in offer_label(price)
