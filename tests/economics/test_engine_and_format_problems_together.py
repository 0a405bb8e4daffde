"""cost and plan answer an unknown engine and an unknown weight format together, each with its
close matches (each named one of them per try)."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_report
from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.economics.slo import Slo
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit


def _assert_both(text: str) -> None:
    assert "unknown weight format 'q4km'; close matches: q4_k_m" in text
    assert "unknown engine 'vlm'; close matches:" in text and "vllm" in text


def test_cost_names_both() -> None:
    request = RentingCostRequest(
        gpus=["rtx-5090"], workload="llm", model="qwen3:32b", engine="vlm", weights="q4km"
    )
    with pytest.raises(InvalidRequestError) as raised:
        cost_report(request)
    _assert_both(str(raised.value))


def test_plan_names_both() -> None:
    request = PlanRequest(
        "qwen3:32b", ("q4km",), 1.0, 512, 256, Slo(), engine="vlm", gpus=("rtx-5090",)
    )
    with pytest.raises(InvalidRequestError) as raised:
        run_plan(request)
    _assert_both(str(raised.value))
