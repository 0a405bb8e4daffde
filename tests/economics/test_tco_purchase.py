"""On-prem TCO with the catalog's sourced purchase prices (new and used), library and CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog.purchase_prices import default_purchase_price
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.main import app
from gpuatlas.economics.tco import OnPremInputs, PurchasePrice, onprem_tco
from gpuatlas.errors import InvalidRequestError

runner = CliRunner()


def test_2x_a100_sxm_now_has_a_sourced_purchase_price() -> None:
    inputs = OnPremInputs(usd_per_kwh=0.12, pue=1.3, years=5)
    tco = onprem_tco(resolve_system("2x a100-80gb-sxm"), inputs)
    catalog = default_purchase_price("a100-80gb-sxm", "new")
    assert catalog is not None and tco.purchase == catalog
    assert "https://" in tco.purchase.source and tco.purchase.observed_date
    assert tco.capex_usd == pytest.approx(2 * catalog.usd_per_gpu)
    # 800 W × 1.3 × 8,760 h × 5 years × $0.12/kWh
    electricity = 800 * 1.3 * 8760 * 5 * 0.12 / 1000
    assert tco.total_usd == pytest.approx(2 * catalog.usd_per_gpu + electricity)
    assert tco.usd_per_gpu_hour == pytest.approx(tco.total_usd / (60 * 730 * 2))


def test_used_condition_picks_the_used_observation() -> None:
    used = onprem_tco(resolve_system("4x rtx-4090"), OnPremInputs(), condition="used")
    catalog = default_purchase_price("rtx-4090", "used")
    assert catalog is not None and used.purchase == catalog
    assert used.purchase.condition == "used" and used.capex_usd == 4 * catalog.usd_per_gpu


def test_a_user_set_price_wins_over_the_catalog() -> None:
    user = PurchasePrice(700.0, "user-set", "used")
    tco = onprem_tco(resolve_system("rtx-4090"), OnPremInputs(), user, condition="used")
    assert tco.purchase == user and tco.purchase.origin == "user-set"


def test_used_without_an_observation_gives_no_purchase_price() -> None:
    tco = onprem_tco(resolve_system("rtx-5090"), OnPremInputs(), condition="used")
    assert tco.purchase is None and tco.capex_usd is None


def test_an_unknown_condition_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="condition"):
        onprem_tco(resolve_system("rtx-4090"), OnPremInputs(), condition="refurbished")


def test_tco_json_carries_the_purchase_source_and_date() -> None:
    result = runner.invoke(app, ["tco", "--gpu", "2x a100-80gb-sxm", "--json"])
    assert result.exit_code == 0, result.output
    (system,) = json.loads(result.stdout)["systems"]
    purchase = system["tco"]["purchase"]
    catalog = default_purchase_price("a100-80gb-sxm", "new")
    assert catalog is not None
    assert purchase["usd_per_gpu"] == catalog.usd_per_gpu
    assert purchase["source"] == catalog.source
    assert purchase["observed_date"] == catalog.observed_date
    assert purchase["condition"] == "new" and purchase["origin"] == "packaged"
    assert system["tco"]["capex_usd"] == pytest.approx(2 * catalog.usd_per_gpu)


def test_a_gpu_without_a_tdp_asks_for_its_measured_draw_not_a_traceback() -> None:
    """`gpuatlas tco apple-m2-ultra-76c` ended in a ValueError traceback (rc 1, no JSON error
    under --json): now an answer-layer problem naming --measured-w, beside the others."""
    refused = runner.invoke(app, ["tco", "apple-m2-ultra-76c", "rtx-4090", "--json"])
    assert refused.exit_code == 2
    document = json.loads(refused.stdout)
    assert document["schema_version"] == "gpuatlas.error/1"
    (problem,) = document["problems"]
    assert problem.startswith("apple-m2-ultra-76c has no TDP") and "--measured-w" in problem
    measured = runner.invoke(app, ["tco", "apple-m2-ultra-76c", "--measured-w", "120", "--json"])
    assert measured.exit_code == 0
    (system,) = json.loads(measured.stdout)["systems"]
    # 120 W × PUE 1.3 × 8,760 h × $0.12/kWh, to the cent
    assert system["electricity_usd_per_year"] == pytest.approx(
        120 * 1.3 * 8760 * 0.12 / 1000, abs=0.01
    )
