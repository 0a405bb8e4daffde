"""`cost` and `plan` name an offer whose GPU variant the provider does not name as the price
tables do, '…; variant assumed)' (issue 10): `plan --gpu a100-80gb` ranked "Paperspace
(DigitalOcean) (on-demand, 2026-09-20)" as an A100 80GB SXM4 offer with nothing saying the
provider lists only "A100 80GB". Such an offer is ranked only when no offer names the variant
(`named_variant_first`, the rule `cost` and `compare` follow too)."""

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


# Serving llama-3.1-8b at 1 req/s: every offer of the variant the GPU is read as.
PLAN = ("plan", "--model", "llama-3.1-8b", "--rps", "1", "--top", "20", "--json")


def _plan_options(gpu: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, [*PLAN, "--gpu", gpu])
    assert result.exit_code == 0, result.output
    options: list[dict[str, object]] = json.loads(result.stdout)["options"]
    return options


def test_plan_options_say_when_the_variant_was_assumed() -> None:
    # every offer of this server card leaves its variant unnamed: plan ranks them, labelled
    options = _plan_options("rtx-pro-6000-blackwell-server")
    for option in options:
        said = "variant assumed" in str(option["offer_label"])
        assert said == (option["gpu_match"] == "assumed"), option["offer_label"]
    assert options and all(option["gpu_match"] == "assumed" for option in options)


def test_plan_passes_over_an_unnamed_variant_when_an_offer_names_it() -> None:
    # the A100 80GB has offers of both kinds: plan, as cost and compare, ranks the named ones
    # (Paperspace's cheaper "A100 80GB" was plan's winner while cost priced RunPod's SXM4)
    options = _plan_options("a100-80gb")
    assert options and all(option["gpu_match"] == "exact" for option in options)
