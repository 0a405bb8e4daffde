"""`cost` and `compare` priced full load with two models of the same rate (the serving
simulation's saturated rate of one replica; the speed model's max-concurrency throughput), so
the same GPU, model and offer came out a few percent apart ($0.0725 vs $0.0759 per 1M output
tokens for llama-3.1-8b on an RTX 4090 at RunPod's $0.34/h). Both now call
economics.full_load.full_load_serving, and each answer says so."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import full_load_note
from gpuatlas.app.economics_requests import CostRequest, run_cost
from gpuatlas.report.build import build_comparison

pytestmark = pytest.mark.unit


def test_the_cost_full_load_note_names_its_basis_and_compare() -> None:
    report = run_cost(CostRequest(systems=("rtx-4090",), model="llama-3.1-8b"))
    note = full_load_note(report)
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
