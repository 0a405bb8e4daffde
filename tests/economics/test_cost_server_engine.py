"""`cost --workload llm` of an Ollama tag: priced on Ollama (a few sequences at its num_ctx),
with a note giving the price of the model's Hub checkpoint on the GPU's serving engine when
that is at least 10 % lower (the same figure `cost --model <hub id>` ranks first)."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_document, cost_report, server_engine_note
from gpuatlas.numbers import format_usd

pytestmark = pytest.mark.unit


def _request(model: str, **extra: object) -> RentingCostRequest:
    values = {"gpus": ["mi300x"], "model": model, "workload": "llm", **extra}
    return RentingCostRequest.model_validate(values)


def test_llama33_70b_tag_on_mi300x_names_the_vllm_price_and_factor() -> None:
    tag = _request("llama3.3:70b")
    report = cost_report(tag)
    server = cost_report(_request("llama-3.3-70b"))
    mine, best = report.ranking[0].best.value, server.ranking[0].best.value
    assert report.serving[0].sustained.engine.startswith("ollama")
    assert server.serving[0].sustained.engine.startswith("vllm")
    assert best < 0.5 * mine  # paged KV and hundreds of sequences vs Ollama's num_ctx slots
    note = server_engine_note(tag, report)
    assert f"costs {format_usd(best)} per 1M output tokens on mi300x" in note
    assert f"{mine / best:,.1f}× less than llama3.3:70b on" in note
    assert note.endswith("--model llama-3.3-70b")
    assert cost_document(tag)["server_engine_note"] == note


def test_no_note_for_a_hub_model_or_a_named_engine() -> None:
    hub = _request("llama-3.3-70b")
    assert server_engine_note(hub, cost_report(hub)) == ""
    named = _request("llama3.3:70b", engine="ollama")
    assert server_engine_note(named, cost_report(named)) == ""
