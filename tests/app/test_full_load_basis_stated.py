"""`cost` and `compare` priced full load with two models of the same rate (the serving
simulation's saturated rate of one replica; the speed model's max-concurrency throughput), so
the same GPU, model and offer came out a few percent apart ($0.0725 vs $0.0759 per 1M output
tokens for llama-3.1-8b on an RTX 4090 at RunPod's $0.34/h). Both now call
economics.full_load.full_load_serving, and each answer says so."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_report, full_load_note
from gpuatlas.app.economics_requests import CostReport
from gpuatlas.report.build import build_comparison

pytestmark = pytest.mark.unit


def llm_cost(model: str, **options: object) -> CostReport:
    values = {"model": model, "gpus": ["rtx-4090"], "workload": "llm", **options}
    return cost_report(RentingCostRequest.model_validate(values))


def test_the_cost_full_load_note_names_its_basis_and_compare() -> None:
    """A TTFT target of 400 ms keeps the RTX 4090 below its full-load rate: the note prices
    full load apart."""
    note = full_load_note(llm_cost("llama-3.1-8b", p95_ttft_ms=400.0))
    assert note.startswith("at full load (")
    assert "the serving model with as many requests in flight as the engine holds" in note
    assert note.endswith("as `gpuatlas compare` prices it")


def test_the_compare_cost_table_names_its_basis_and_cost() -> None:
    comparison = build_comparison("rtx-4090", "l40s", model="llama-3.1-8b")
    table = next(
        table
        for section in comparison.sections
        for table in section.tables
        if table.id == "llm-cost"
    )
    (note,) = table.notes
    assert "serving-throughput row above" in note
    assert "the same figure `gpuatlas cost` gives at full load" in note


def test_a_winner_capped_at_full_load_is_not_priced_twice() -> None:
    """qwen2.5-7b on an RTX 4090: the simulation's sustainable rate is above the serving model's
    full-load rate, so the rate is the full-load rate and the note says the price is already
    the full-load one rather than repeating it (with calibration 2026-12-04.4744a079 gpt-oss-20b's
    sustainable rate is 0.5 % below full load, so it no longer shows the cap)."""
    report = llm_cost("qwen2.5-7b")
    sustained = report.serving[0].sustained
    assert sustained.output_tok_s == pytest.approx(sustained.full_load_tok_s)
    note = full_load_note(report)
    assert note.startswith("rtx-4090 already serves its full-load rate within the target")
