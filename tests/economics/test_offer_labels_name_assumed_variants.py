"""`cost` and `plan` name an offer whose GPU variant the provider does not name as the price
tables do, '…; variant assumed)' (issue 10): `plan --gpu a100-80gb` ranked "Paperspace
(DigitalOcean) (on-demand, 2026-09-20)" as an A100 80GB SXM4 offer with nothing saying the
provider lists only "A100 80GB"."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gpuatlas.catalog.prices import current_prices
from gpuatlas.cli.main import app
from gpuatlas.economics.offer_costs import offer_price


def test_an_offer_price_of_an_assumed_variant_says_so() -> None:
    prices = current_prices("a100-80gb-sxm")
    assumed = [p for p in prices if p.gpu_match == "assumed"]
    exact = [p for p in prices if p.gpu_match == "exact"]
    assert assumed and exact
    # "; variant assumed)", or "; variant assumed; low end of captured range)" for a range's end
    assert all("; variant assumed" in offer_price(p, 1).label for p in assumed)
    assert not any("variant assumed" in offer_price(p, 1).label for p in exact)


# Serving llama-3.1-8b at 1 req/s on an "A100 80GB": every offer of the variant it is read as.
PLAN_ON_A100 = (
    "plan",
    "--model",
    "llama-3.1-8b",
    "--rps",
    "1",
    "--gpu",
    "a100-80gb",
    "--top",
    "20",
)


def test_plan_options_say_when_the_variant_was_assumed() -> None:
    result = CliRunner().invoke(app, [*PLAN_ON_A100, "--json"])
    assert result.exit_code == 0, result.output
    options = json.loads(result.stdout)["options"]
    for option in options:
        said = "variant assumed" in option["offer_label"]
        assert said == (option["gpu_match"] == "assumed"), option["offer_label"]
    assert any(option["gpu_match"] == "assumed" for option in options)
