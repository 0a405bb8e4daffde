"""`cost` and `compare` price a system from the same offer (issue 10): `cost --workload llm`
ranked an A100 80GB SXM4 on Paperspace's $1.15/h, an offer whose GPU variant the provider does
not name, while `compare` priced it at an offer that names it; the two answers gave different
$/1M output tokens for one GPU, model and workload. Both now take the cheapest offer that
names the variant (an assumed one only when none does), at full load `cost --utilization 1`
is `compare`'s figure to the cent, and compare's sentence names each offer and its date."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_document
from gpuatlas.app.economics_requests import CostRequest, run_cost
from gpuatlas.app.requests import parse_request
from gpuatlas.catalog.prices import current_prices
from gpuatlas.report import build_comparison
from gpuatlas.report.document import Statement
from gpuatlas.report.rental_prices import price_words

PAIR = ("rtx-4090", "a100-80gb-sxm")
MODEL = "gpt-oss-20b"
WHAT = "Cost per 1M output tokens at the reference prices"


@pytest.fixture(scope="module")
def statement(fresh_data_dir: Path) -> Statement:
    comparison = build_comparison(*PAIR, model=MODEL)
    statements = [s for section in comparison.sections for s in section.statements]
    return next(s for s in statements if s.words.get("what", "").startswith(WHAT))


def test_cost_and_compare_give_the_same_offer_and_the_same_cost(statement: Statement) -> None:
    report = run_cost(CostRequest(PAIR, MODEL, "auto", "auto", "llm", utilization=1.0))
    lines = {line.system_id: line for line in report.ranking}
    for system, number in zip(PAIR, ("x", "y"), strict=True):
        offer = lines[system].best_offer
        assert offer.gpu_match == "exact"  # an assumed variant is not the price when one is named
        expected = f"{offer.provider} {offer.tier}, {offer.observed_date}"
        assert expected in statement.words["what"]
        compared = statement.numbers[number].value
        assert compared == pytest.approx(lines[system].best.value, rel=1e-6)
        # the price behind the number: its provider and date in the provenance
        source = statement.numbers[number].provenance.source
        assert offer.provider in source and offer.observed_date in source


def test_an_unnamed_variant_is_not_the_ranked_price_when_a_named_one_exists() -> None:
    report = run_cost(CostRequest((PAIR[1],), MODEL, "auto", "auto", "llm"))
    rows = [row for row in report.serving if row.system_id == PAIR[1]]
    assumed = [row for row in rows if row.price.gpu_match == "assumed"]
    named = [row for row in rows if row.price.gpu_match == "exact"]
    assert assumed and named, "the A100 has offers of both kinds"
    cheapest_assumed = min(r.usd_per_million_output_tokens.value for r in assumed)
    (line,) = report.ranking
    assert cheapest_assumed < line.best.value  # the assumed offer is cheaper, yet not chosen
    assert line.best.value == min(r.usd_per_million_output_tokens.value for r in named)


def test_price_words_name_provider_tier_and_date() -> None:
    snapshot = current_prices(PAIR[0])[0]
    assert price_words(snapshot).startswith(f"{snapshot.provider} {snapshot.tier}, ")
    assert snapshot.observed_date in price_words(snapshot)


def test_cost_says_which_cheaper_unnamed_variant_offer_it_passed_over() -> None:
    request = parse_request(
        RentingCostRequest, {"gpus": [PAIR[1]], "model": MODEL, "workload": "llm"}
    )
    (note,) = cost_document(request)["unnamed_variant_notes"]
    cheapest = min(
        (p for p in current_prices(PAIR[1]) if p.gpu_match == "assumed"),
        key=lambda p: p.usd_per_gpu_hour,
    )
    assert note.startswith(f"{PAIR[1]}: offers whose GPU variant the provider does not name")
    assert cheapest.provider in note and "variant assumed" in note
    named_only = parse_request(
        RentingCostRequest, {"gpus": [PAIR[0]], "model": MODEL, "workload": "llm"}
    )
    assert cost_document(named_only)["unnamed_variant_notes"] == []
