"""`tco` says what it leaves at zero, compares with the offer `cost` and `compare` use, and does
not call a break-even past the years owned a break-even: `tco rtx-4090 --years 3 ...` said
"break-even: month 58" with nothing more; `tco a100-80gb-sxm` used a Paperspace offer whose
A100 variant is not named, which `cost` and `compare` pass over."""

from __future__ import annotations

import pytest

from gpuatlas.app.tco import OnPremTcoRequest, tco_document, tco_rows
from gpuatlas.economics.tco import OnPremInputs

pytestmark = pytest.mark.unit


def test_the_costs_left_at_zero_are_named_with_their_options() -> None:
    words = OnPremInputs().not_counted()
    assert "--server-usd" in words and "--hosting-usd-per-month" in words
    assert "--residual" in words
    priced = OnPremInputs(server_usd=5000, hosting_usd_per_month=200, residual_fraction=0.2)
    assert priced.not_counted() == ""


def test_the_cloud_offer_names_the_gpus_variant_when_one_does() -> None:
    (row,) = tco_rows(OnPremTcoRequest(gpus=["a100-80gb-sxm"]))
    assert row.break_even is not None and row.break_even.offer.gpu_match == "exact"


def test_a_break_even_past_the_years_owned_is_not_within_them() -> None:
    request = OnPremTcoRequest.model_validate(
        {
            "gpus": ["rtx-4090"],
            "usd_per_kwh": 0.35,
            "pue": 1.0,
            "hours_per_month": 120,
            "load": 0.7,
            "years": 3,
            "residual": 0.3,
        }
    )
    document = tco_document(request)
    (system,) = document["systems"]
    assert system["break_even"]["break_even_month"] > 36
    assert system["break_even"]["within_years"] is False
    assert "--server-usd" in document["not_counted"] and "--residual" not in document["not_counted"]


def test_a_missing_used_price_or_offer_says_what_to_give() -> None:
    rows = tco_rows(OnPremTcoRequest(gpus=["rtx-3090", "rtx-4070-ti-super"], condition="used"))
    notes = {row.tco.system_id: row.note for row in rows}
    assert "--tier spot" in " ".join(notes.values())  # the 3090 is rented on spot only
    assert "its launch price was $799 new" in notes["rtx-4070-ti-super"]
