"""When the focus model's format does not fit a side, the LLM section names the first smaller
format that does (as the VRAM-fit table counts it), or says that none does (with the engine the
user named; without one, the side runs what users run there instead: test_side_runs_instead)."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.report import build_comparison
from gpuatlas.report.document import Text
from gpuatlas.report.render_text import render_text


def test_the_side_that_fits_a_smaller_format_is_told_which(fresh_data_dir: Path) -> None:
    comparison = build_comparison("2x rtx-3090", "rtx-5090", model="llama-3.1-70b", engine="vllm")
    section = next(s for s in comparison.sections if s.id == "inference")
    facts = [s for s in section.statements if s.template.startswith("No modelled LLM speed")]
    by_side = {s.words["system"]: s for s in facts}
    assert set(by_side) == {"2× RTX 3090", "RTX 5090"}
    assert by_side["2× RTX 3090"].words["fitting"] == "awq-int4"
    assert by_side["RTX 5090"].words["fitting"] == ""
    text = " ".join(render_text(comparison, width=200).replace("│", " ").split())
    assert "in awq-int4 it fits (pass --weights awq-int4)" in text
    assert "no format the engine loads fits either" in text


def test_the_scenario_table_gives_a_short_reason_and_the_sum_once_in_its_notes(
    fresh_data_dir: Path,
) -> None:
    comparison = build_comparison("2x rtx-3090", "rtx-5090", model="llama-3.1-70b", engine="vllm")
    section = next(s for s in comparison.sections if s.id == "inference")
    table = next(t for t in section.tables if t.id == "serving-scenario")
    cells = {row[2].text for row in table.rows if isinstance(row[2], Text)}
    assert cells == {"— (does not fit in memory)"}
    sums = [note for note in table.notes if ": memory: per GPU: weights " in note]
    assert [note.split(":")[0] for note in sums] == ["2× RTX 3090", "RTX 5090"]
