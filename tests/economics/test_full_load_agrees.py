"""`cost` and `compare` price full load with one figure: economics.full_load.full_load_serving
(the serving model with as many requests in flight as the engine holds, in the system's best
layout), so the same system, model, weights, engine and request lengths give the same output
tok/s, and the same $/1M output tokens at the same price, in both answers."""

from __future__ import annotations

from typing import Any

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_document
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.full_load import full_load_serving
from gpuatlas.report import build_comparison
from gpuatlas.report.focus import OUTPUT_TOKENS
from gpuatlas.report.profiles.llm import SERVING_INPUT_TOKENS

SECONDS_PER_HOUR = 3600.0


def compare_serving_tok_s(comparison: Any) -> tuple[float, float]:
    """The compare report's serving-throughput row (A, B), as its JSON carries it."""
    for section in comparison.sections:
        for table in section.tables:
            if table.id != "llm-speed":
                continue
            for row in table.rows:
                if row[0].text.startswith("Serving throughput"):
                    return row[1].value, row[2].value
    raise AssertionError("no serving-throughput row")


def cost_rows(gpus: list[str]) -> list[dict[str, Any]]:
    request = RentingCostRequest.model_validate(
        {"model": "llama-3.1-8b", "gpus": gpus, "workload": "llm", "engine": "vllm"}
    )
    return list(cost_document(request)["serving"])


@pytest.mark.unit
def test_cost_and_compare_give_the_same_full_load_rate() -> None:
    """Both default to requests of 512 prompt and 256 output tokens; the RTX 4090 and the
    A100 SXM4 80GB serve llama-3.1-8b bf16 on vLLM."""
    assert (SERVING_INPUT_TOKENS, OUTPUT_TOKENS) == (512, 256)
    comparison = build_comparison("rtx-4090", "a100-80gb-sxm", model="llama-3.1-8b")
    compared = dict(
        zip(("rtx-4090", "a100-80gb-sxm"), compare_serving_tok_s(comparison), strict=True)
    )
    for row in cost_rows(["rtx-4090", "a100-80gb-sxm"]):
        system = resolve_system(row["system_id"])
        shared = full_load_serving(
            system, "llama-3.1-8b", "bf16", "vllm", input_tokens=512, output_tokens=256
        ).output_tok_s.value
        assert row["sustained"]["full_load_tok_s"] == pytest.approx(shared, rel=1e-9)
        assert compared[row["system_id"]] == pytest.approx(shared, rel=1e-9)


@pytest.mark.unit
def test_the_full_load_price_is_the_offer_over_that_rate() -> None:
    """$/1M output tokens at full load = $/hour of the system / (tok/s x 3600) x 1e6, the
    formula compare applies to its serving throughput."""
    for row in cost_rows(["rtx-4090"]):
        tokens_per_hour = row["sustained"]["full_load_tok_s"] * SECONDS_PER_HOUR
        expected = row["price"]["usd_per_hour"] / tokens_per_hour * 1e6
        assert row["usd_per_million_output_tokens_at_saturation"] == pytest.approx(
            expected, rel=1e-2
        )


@pytest.mark.unit
def test_no_latency_target_serves_more_than_full_load() -> None:
    """The rate a replica serves within the default p95 TTFT is never above its full-load
    rate, so the price within the target is never below the full-load price."""
    for row in cost_rows(["rtx-4090", "a100-80gb-sxm"]):
        sustained = row["sustained"]
        assert sustained["output_tok_s"] <= sustained["full_load_tok_s"] * (1 + 1e-9)
        assert (
            row["usd_per_million_output_tokens_at_saturation"]
            <= row["usd_per_million_output_tokens"]["value"]
        )
        assert sustained["basis"].endswith("never above its full-load rate")
