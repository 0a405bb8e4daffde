"""Any catalog pair (AMD, Gaudi, missing fields) and two systems produce all four formats, and
the JSON carries issue 5's fields."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from gpuatlas.report import (
    SCHEMA_VERSION,
    Comparison,
    render_html,
    render_json,
    render_markdown,
    render_text,
)

from .conftest import comparison_of

PAIRS = [
    ("gaudi2", "mi300x"),
    ("t4", "b200"),
    ("mi250x", "gaudi3"),
    ("l4", "rtx-a6000"),
    ("4x rtx-4090", "2x a100-80gb-sxm"),
    ("a100-80gb-sxm", "rtx-4090"),
]
ISSUE_SIDE_FIELDS = {"median", "n", "ci_low", "ci_high", "source"}


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_pair_builds_every_section_and_every_format(a: str, b: str, fresh_data_dir: Path) -> None:
    comparison = comparison_of(a, b)
    ids = [s.id for s in comparison.sections]
    assert ids == [
        "hardware",
        "memory-fit",
        "inference",
        "serving-curve",
        "media",
        "training",
        "pricing",
        "power",
        "ecosystem",
        "guidance",
        "measured",
    ]
    for section in comparison.sections:
        assert section.omitted is None or section.id == "measured", (section.id, section.omitted)
        assert section.omitted or section.tables or section.statements
    text = render_text(comparison)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert render_markdown(comparison).startswith(f"# {comparison.a.label} vs")
    html = render_html(comparison)
    assert "<script" not in html and "http://" not in html.split("<footer>")[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "<svg" in html
    json.loads(render_json(comparison))


def test_html_is_well_formed_and_self_contained(a100_vs_4090: Comparison) -> None:
    html = render_html(a100_vs_4090)
    body = html[html.index("<body>") : html.index("</html>")]
    ElementTree.fromstring(
        body.replace("&", "&amp;")
        .replace("&amp;amp;", "&amp;")
        .replace("&amp;lt;", "&lt;")
        .replace("&amp;gt;", "&gt;")
        .replace("&amp;quot;", "&quot;")
        .replace("&amp;#x27;", "&#x27;")
    )
    assert '<link rel="stylesheet"' not in html and 'src="http' not in html


def test_json_has_issue_fields(a100_vs_4090: Comparison) -> None:
    data = json.loads(render_json(a100_vs_4090))
    assert data["schema_version"] == SCHEMA_VERSION
    assert (data["a"]["id"], data["b"]["id"]) == ("a100-80gb-sxm", "rtx-4090")
    assert all({"id", "title"} <= set(section) for section in data["sections"])
    assert data["benchmarks"]
    for entry in data["benchmarks"]:
        assert {
            "benchmark",
            "category",
            "unit",
            "higher_is_better",
            "a",
            "b",
            "ratio",
            "verdict",
        } <= set(entry)
        assert entry["verdict"] in {
            "a_faster",
            "b_faster",
            "roughly_equal",
            "inconclusive",
            "vs_model",
        }
        assert entry["basis"] in {"measured", "measured_vs_modelled", "modelled", "none"}
        if entry["verdict"] == "vs_model":
            assert entry["basis"] != "measured"
            assert entry["model_verdict"] in {
                "a_faster",
                "b_faster",
                "roughly_equal",
                "inconclusive",
            }
        for side in (entry["a"], entry["b"]):
            assert side is None or set(side) >= ISSUE_SIDE_FIELDS
        assert entry["ratio"] is None or {"value", "low", "high"} <= set(entry["ratio"])
    for side in ("a", "b"):
        score = data["scores"][side]
        assert score is None or {"value", "low", "high", "coverage"} <= set(score)


def test_every_table_number_carries_provenance(a100_vs_4090: Comparison) -> None:
    data = json.loads(render_json(a100_vs_4090))
    for section in data["sections"]:
        for table in section["tables"]:
            for row in table["rows"]:
                for cell in row:
                    if cell["type"] == "quantity" and cell["value"] is not None:
                        provenance = cell["provenance"]
                        assert provenance["source"], (section["id"], table["id"], cell)
                        if provenance["kind"] == "catalog":
                            assert provenance["as_of"]
                        if provenance["kind"] == "modelled":
                            assert provenance["model"] and provenance["calibration_version"]
                        if provenance["kind"] == "measured":
                            assert provenance["result_ids"] and provenance["n"]


def test_modelled_stand_ins_are_labelled_with_their_range(a100_vs_4090: Comparison) -> None:
    stand_ins = [
        side
        for entry in a100_vs_4090.benchmarks
        for side in (entry.a, entry.b)
        if side is not None and side.modelled
    ]
    assert stand_ins
    for side in stand_ins:
        assert side.n == 0 and side.model and side.calibration_version
        assert side.ci_low is not None and side.ci_high is not None
        assert side.ci_low <= side.median <= side.ci_high
    text = render_text(a100_vs_4090)
    assert "modelled:" in text


def test_scores_have_coverage_and_reference(a100_vs_4090: Comparison) -> None:
    for entry in (a100_vs_4090.scores.a, a100_vs_4090.scores.b):
        assert entry is not None
        assert entry.reference_gpu == "rtx-3090"
        assert (
            entry.coverage == f"{entry.covered_benchmarks} of {entry.total_benchmarks} benchmarks"
        )
        assert entry.low is not None and entry.high is not None
        assert entry.low <= entry.value <= entry.high
