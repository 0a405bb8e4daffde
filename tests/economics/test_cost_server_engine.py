"""`cost --workload llm` of an Ollama tag: priced on Ollama (a few sequences at its num_ctx),
with a note giving the price of the model's Hub checkpoint on the GPU's serving engine when
that is at least 10 % lower (the same figure `cost --model <hub id>` ranks first)."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import (
    RentingCostRequest,
    cost_document,
    cost_report,
    server_engine_note,
    server_formats,
)
from gpuatlas.numbers import format_usd

pytestmark = pytest.mark.unit


def _request(model: str, **extra: object) -> RentingCostRequest:
    values = {"gpus": ["mi300x"], "model": model, "workload": "llm", **extra}
    return RentingCostRequest.model_validate(values)


def test_llama33_70b_tag_on_mi300x_names_the_vllm_price_and_factor() -> None:
    tag = _request("llama3.3:70b")
    report = cost_report(tag)
    server = cost_report(_request("llama-3.3-70b", weights="fp8"))  # cheapest of plan's formats
    mine, best = report.ranking[0].best.value, server.ranking[0].best.value
    assert report.serving[0].sustained.engine.startswith("ollama")
    assert server.serving[0].sustained.engine.startswith("vllm")
    assert best < 0.5 * mine  # paged KV and hundreds of sequences vs Ollama's num_ctx slots
    note = server_engine_note(tag, report)
    assert f"costs {format_usd(best)} per 1M output tokens on mi300x" in note
    assert f"{mine / best:,.1f}× less than llama3.3:70b on" in note
    assert note.endswith("--model llama-3.3-70b --weights fp8")
    assert cost_document(tag)["server_engine_note"] == note


def test_no_note_for_a_hub_model_or_a_named_engine() -> None:
    hub = _request("llama-3.3-70b")
    assert server_engine_note(hub, cost_report(hub)) == ""
    named = _request("llama3.3:70b", engine="ollama")
    assert server_engine_note(named, cost_report(named)) == ""


@pytest.mark.parametrize("gpu", ["rtx-4090", "rtx-5090"])
def test_32b_tag_on_a_24_to_32_gb_card_names_the_awq_vllm_price(gpu: str) -> None:
    """qwen3-32b in bf16 (~65 GB) or FP8 (~33 GB) does not fit one 24-32 GB card, so a note
    that only tried the native bf16 said nothing; AWQ-int4 (~19 GB) on vLLM fits and batches,
    as `plan` finds: the note names that format, its price and the options asking for it."""
    tag = RentingCostRequest.model_validate(
        {"gpus": [gpu], "model": "qwen3:32b", "workload": "llm"}
    )
    assert server_formats(tag, "qwen3-32b") == ["bf16", "fp8", "awq-int4"]  # plan's choice
    for weights in ("bf16", "fp8"):
        native = cost_report(tag.model_copy(update={"model": "qwen3-32b", "weights": weights}))
        assert not native.ranking  # too big for one card in these formats
    awq = cost_report(tag.model_copy(update={"model": "qwen3-32b", "weights": "awq-int4"}))
    assert awq.serving[0].sustained.engine.startswith("vllm")
    price = awq.ranking[0].best.value
    note = server_engine_note(tag, cost_report(tag))
    assert note.startswith("with a server engine, qwen3-32b awq-int4 on vllm")
    assert f"costs {format_usd(price)} per 1M output tokens on {gpu}" in note
    assert note.endswith("--model qwen3-32b --weights awq-int4")


def test_the_cheapest_of_plans_formats_is_named() -> None:
    """On an MI300X (192 GB) every format fits; the note names the one whose price is lowest."""
    tag = _request("llama3.3:70b")
    prices = {
        weights: cost_report(tag.model_copy(update={"model": "llama-3.3-70b", "weights": weights}))
        .ranking[0]
        .best.value
        for weights in server_formats(tag, "llama-3.3-70b")
    }
    cheapest = min(prices, key=lambda w: prices[w])
    note = server_engine_note(tag, cost_report(tag))
    assert f"llama-3.3-70b {cheapest} on vllm" in note
    assert f"costs {format_usd(prices[cheapest])} per 1M output tokens on mi300x" in note
