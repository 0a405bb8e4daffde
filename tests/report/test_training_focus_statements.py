"""The training section speaks of the model asked about first: what each side can fine-tune,
then its time for the token budget compared with the method both sides fit (the budget
table's own numbers), before the large reference model."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.report import build_comparison
from gpuatlas.report.document import Quantity
from gpuatlas.report.phrasing import render_statement


def test_the_focus_model_leads_the_training_statements(fresh_data_dir: Path) -> None:
    comparison = build_comparison("4x rtx-4090", "a100-80gb-sxm", model="llama-3.1-8b")
    section = next(s for s in comparison.sections if s.id == "training")
    lines = [render_statement(s) for s in section.statements]
    assert lines[:2] == [
        "4× RTX 4090: the most complete fine-tuning of llama-3.1-8b that fits is lora.",
        "A100 80GB SXM4: the most complete fine-tuning of llama-3.1-8b that fits is lora.",
    ]
    assert "llama-3-70b" in lines[2] and "llama-3-70b" in lines[3]
    compared = next(s for s in section.statements if s.words.get("what", "").startswith("Fine"))
    budget = next(t for t in section.tables if t.id == "training-budget")
    hours = [row[2] for row in budget.rows]
    assert all(isinstance(h, Quantity) for h in hours)
    assert [compared.numbers["x"].value, compared.numbers["y"].value] == [
        h.value for h in hours if isinstance(h, Quantity)
    ]
    assert compared.words["leader"] == "4× RTX 4090"  # 4 GPUs of LoRA vs one A100
