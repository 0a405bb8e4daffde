"""`compare --method lora|qlora|full`: the fine-tuning time and cost are for the method asked,
the same on both sides (like for like); without it, the most complete method that fits both."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gpuatlas.app.compare import ComparisonRequest
from gpuatlas.catalog.models import resolve_model
from gpuatlas.report import build_comparison
from gpuatlas.report.document import Table, Text

# Full fine-tuning with AdamW in mixed precision keeps, per parameter, bf16 weights (2 bytes),
# bf16 gradients (2), an fp32 master copy (4) and two fp32 Adam moments (8): 16 bytes.
FULL_BYTES_PER_PARAM = 16


def _budget(a: str, b: str, method: str | None) -> Table:
    comparison = build_comparison(a, b, model="llama-3.1-8b", training_method=method)
    section = next(s for s in comparison.sections if s.id == "training")
    return next(t for t in section.tables if t.id == "training-budget")


def _cells(table: Table) -> list[tuple[str, str, object]]:
    return [(str(row[0].text), str(row[1].text), row[2]) for row in table.rows]  # type: ignore[union-attr]


def test_the_method_asked_is_timed_on_both_sides(fresh_data_dir: Path) -> None:
    table = _budget("rtx-4090", "a100-80gb-sxm", "qlora")
    rows = _cells(table)
    assert [(system, method) for system, method, _ in rows] == [
        ("RTX 4090", "qlora"),
        ("A100 80GB SXM4", "qlora"),
    ]
    assert all(getattr(hours, "value", None) for _, _, hours in rows)
    assert "qlora on both sides, as asked (--method)" in table.notes[0]


def test_a_method_that_fits_neither_side_says_so_with_the_memory(fresh_data_dir: Path) -> None:
    """Full fine-tuning of an 8B model needs at least 16 bytes per parameter (~128 GB): more than
    an 80 GB A100 and a 24 GB RTX 4090 hold, so neither side gets a time."""
    params = resolve_model("llama-3.1-8b").total_params()  # type: ignore[union-attr]
    floor_gb = params * FULL_BYTES_PER_PARAM / 1e9
    assert floor_gb > 80
    for _, method, hours in _cells(_budget("rtx-4090", "a100-80gb-sxm", "full")):
        assert method == "full"
        assert getattr(hours, "value", 1) is None
        reason = hours.provenance.source  # type: ignore[attr-defined]
        needed = float(reason.split("(")[1].split(" GB")[0])
        assert reason.startswith("does not fit") and needed >= floor_gb


def test_without_a_method_the_most_complete_that_fits_both(fresh_data_dir: Path) -> None:
    rows = _cells(_budget("rtx-4090", "a100-80gb-sxm", None))
    assert {method for _, method, _ in rows} == {"lora"}  # full fits neither (see above)


def test_the_method_is_read_as_written_and_checked() -> None:
    request = ComparisonRequest(a="rtx-4090", b="rtx-3090", training_method="QLoRA")  # type: ignore[arg-type]
    assert request.training_method == "qlora"
    assert request.options()["training_method"] == "qlora"
    with pytest.raises(ValidationError, match="full', 'lora' or 'qlora"):
        ComparisonRequest(a="rtx-4090", b="rtx-3090", training_method="dora")  # type: ignore[arg-type]


def test_the_report_builder_refuses_an_unknown_method(fresh_data_dir: Path) -> None:
    with pytest.raises(Exception, match="training method must be one of full, lora, qlora"):
        build_comparison("rtx-4090", "rtx-3090", training_method="dora")


def test_the_rendered_row_names_the_method(fresh_data_dir: Path) -> None:
    table = _budget("rtx-4090", "rtx-3090", "lora")
    assert all(isinstance(row[1], Text) and row[1].text == "lora" for row in table.rows)
