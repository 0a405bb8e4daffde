"""Issue 12, item 8: every consistency defect found in the audit of seven reports, one test each
(each failed on the reports before the fix)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpuatlas.report import Comparison, render_json, render_markdown
from gpuatlas.report.document import Quantity, Table, Text
from gpuatlas.report.phrasing import render_statement

from .conftest import comparison_of


def _table(comparison: Comparison, section: str, table_id: str) -> Table:
    return next(t for t in comparison.section(section).tables if t.id == table_id)


def _cheapest(comparison: Comparison) -> object:
    return next(
        s for s in comparison.section("pricing").statements if "Cheapest rental" in s.template
    )


def _offers(table: Table) -> list[tuple[str, str, float]]:
    """(tier, offer text, $/GPU-hour) of every row of a price table."""
    rows = []
    for row in table.rows:
        tier, offer, price = row[1], row[2], row[3]
        assert isinstance(tier, Text) and isinstance(offer, Text) and isinstance(price, Quantity)
        assert price.value is not None
        rows.append((tier.text, offer.text, price.value))
    return rows


@pytest.mark.parametrize(("a", "b"), [("a100-80gb-sxm", "rtx-4090"), ("rtx-3090", "rtx-4090")])
def test_cheapest_rental_sentence_agrees_with_the_price_table(
    a: str, b: str, fresh_data_dir: Path
) -> None:
    comparison = comparison_of(a, b)
    statement = _cheapest(comparison)
    text = render_statement(statement)  # type: ignore[arg-type]
    for side, gpu in (("a", comparison.a.gpu_id), ("b", comparison.b.gpu_id)):
        offers = _offers(_table(comparison, "pricing", f"prices-{gpu}"))
        named = [o for o in offers if "variant assumed" not in o[1]] or offers
        numbers = statement.numbers  # type: ignore[attr-defined]
        assert numbers[f"{side}_any"].value == pytest.approx(min(p for _, _, p in named))
        on_demand = [p for tier, _, p in named if tier == "on-demand"]
        if on_demand:
            assert numbers[f"{side}_od"].value == pytest.approx(min(on_demand))
        else:
            assert f"{side}_od" not in numbers and "no on-demand offer" in text
    assert "cheapest any tier" in text and "cheapest on-demand" in text


def test_rent_instead_has_a_price_whenever_the_price_table_shows_an_offer(
    fresh_data_dir: Path,
) -> None:
    comparison = comparison_of("rtx-3090", "rtx-4090")  # the RTX 3090 is listed on spot only
    assert _table(comparison, "pricing", "prices-rtx-3090").rows
    rent = next(
        row
        for row in _table(comparison, "power", "power-tco").rows
        if isinstance(row[0], Text) and row[0].text.startswith("Rent instead")
    )
    for cell in rent[1:]:
        assert isinstance(cell, Quantity) and cell.value is not None, cell
    assert isinstance(rent[1], Quantity)
    assert "spot" in rent[1].provenance.source  # the tier it rests on is named


def test_image_sentences_compare_what_the_table_beside_them_compares(
    fresh_data_dir: Path,
) -> None:
    comparison = comparison_of("4x rtx-4090", "2x a100-80gb-sxm")
    table = next(t for t in comparison.section("media").tables if "Image" in t.title)
    for row in table.rows:
        a_rate, b_rate = row[3], row[4]
        assert isinstance(a_rate, Quantity) and isinstance(b_rate, Quantity)
        assert a_rate.value is not None and b_rate.value is not None
        system_leader = comparison.a.label if a_rate.value > b_rate.value else comparison.b.label
        name = row[0].text.split(" (")[0] if isinstance(row[0], Text) else ""
        about = [
            s
            for s in comparison.section("media").statements
            if render_statement(s).startswith(name + " ")
        ]
        assert about, name
        for statement in about:
            text = render_statement(statement)
            assert statement.words.get("leader", system_leader) == system_leader, text


def test_vision_and_ocr_scale_with_the_gpu_count_by_the_same_rule(fresh_data_dir: Path) -> None:
    one = comparison_of("rtx-4090", "a100-80gb-sxm")
    four = comparison_of("4x rtx-4090", "2x a100-80gb-sxm")

    def rate(comparison: Comparison, workload: str) -> float:
        table = next(t for t in comparison.section("media").tables if "Vision" in t.title)
        row = next(r for r in table.rows if isinstance(r[0], Text) and workload in r[0].text)
        assert isinstance(row[1], Quantity) and row[1].value is not None
        return row[1].value

    llava = rate(four, "LLaVA") / rate(one, "LLaVA")
    trocr = rate(four, "TrOCR") / rate(one, "TrOCR")
    assert trocr == pytest.approx(llava, rel=0.05), (llava, trocr)


def test_one_sided_benchmark_count_agrees_with_the_rows(a100_vs_4090: Comparison) -> None:
    """'91 benchmarks measured on one side only (no ratio)' stood next to 58 such rows with a
    ratio: the note's counts must be those of the rows."""
    one_sided = [
        e
        for e in a100_vs_4090.benchmarks
        if not e.suite and ((e.a is None or e.a.modelled) != (e.b is None or e.b.modelled))
    ]
    with_ratio = sum(1 for e in one_sided if e.ratio is not None)
    notes = [n for n in a100_vs_4090.section("measured").notes if "one side only" in n]
    assert len(notes) == 1
    numbers = [int(x) for x in re.findall(r"\d+", notes[0])]
    assert numbers[:3] == [len(one_sided), with_ratio, len(one_sided) - with_ratio], notes[0]


def test_markdown_and_json_give_the_same_verdict_for_every_row(
    a100_vs_4090: Comparison,
) -> None:
    import json

    from gpuatlas.report.pair_rows import verdict_label

    markdown = render_markdown(a100_vs_4090)
    assert "none (one side modelled)" not in markdown
    entries = json.loads(render_json(a100_vs_4090))["benchmarks"]
    for entry in entries:
        label = verdict_label(entry["verdict"], entry["model_verdict"], entry["basis"])
        rows = [
            line
            for line in markdown.splitlines()
            if line.startswith("| ") and f"| {entry['title']}" in line
        ]
        assert rows, entry["title"]
        assert all(line.rstrip(" |").endswith(label) for line in rows), (entry, rows)
        if entry["verdict"] == "vs_model":
            assert label.endswith("(vs model)")


def test_a_serving_scenario_at_full_utilisation_is_never_a_solution(
    a100_vs_4090: Comparison,
) -> None:
    table = _table(a100_vs_4090, "inference", "serving-scenario")
    utilisation = table.columns.index("Utilisation")
    for row in table.rows:
        cell = row[utilisation]
        if isinstance(cell, Quantity) and cell.value is not None:
            assert cell.value < 100, "Poisson traffic is not stable at 100%: keep headroom"


def test_the_power_tooltip_states_the_hours_the_value_uses(a100_vs_4090: Comparison) -> None:
    from gpuatlas.economics.offer_costs import HOURS_PER_YEAR

    row = next(
        r
        for r in _table(a100_vs_4090, "power", "power-tco").rows
        if isinstance(r[0], Text) and r[0].text.startswith("Electricity per year")
    )
    for cell in row[1:]:
        assert isinstance(cell, Quantity)
        assert f"{HOURS_PER_YEAR:,.0f} h" in cell.provenance.source
        assert "8,766" not in cell.provenance.source


def test_a_table_of_system_totals_is_not_headed_per_gpu(fresh_data_dir: Path) -> None:
    comparison = comparison_of("4x rtx-4090", "2x a100-80gb-sxm")
    table = _table(comparison, "hardware", "system")
    assert "per GPU" not in table.columns[0]
    assert any(isinstance(r[0], Text) and r[0].text.startswith("Total") for r in table.rows)


def test_no_geforce_ecc_note_in_a_report_without_a_geforce_card(fresh_data_dir: Path) -> None:
    comparison = comparison_of("h100-sxm", "mi300x")
    for section in comparison.sections:
        for note in section.notes:
            assert not ("GeForce" in note and "ECC" in note), (section.id, note)
    with_geforce = comparison_of("h100-sxm", "rtx-4090")
    assert any("GeForce" in n for n in with_geforce.section("ecosystem").notes)


def test_no_geforce_note_at_all_without_a_geforce_card(fresh_data_dir: Path) -> None:
    comparison = comparison_of("h100-sxm", "mi300x")
    for section in comparison.sections:
        notes = [*section.notes, *(n for t in section.tables for n in t.notes)]
        assert not any("GeForce" in n for n in notes), section.id


def test_benchmark_titles_never_show_an_unknown_batch_as_b_question_mark(
    fresh_data_dir: Path,
) -> None:
    comparison = comparison_of("a100-80gb-pcie", "rtx-4090")  # the seed page's rows
    titles = [e.title for e in comparison.benchmarks]
    unknown_batch = re.compile(r"(?<![\w.])b\?")
    assert any("batch not stated" in t for t in titles)
    assert not any(unknown_batch.search(t) for t in titles)
    assert not unknown_batch.search(render_markdown(comparison))


def test_seed_rows_with_an_assumed_a100_variant_carry_a_caveat(fresh_data_dir: Path) -> None:
    comparison = comparison_of("a100-80gb-pcie", "rtx-4090")
    seed = [
        e for e in comparison.benchmarks if e.a is not None and "shared/seeds/001" in e.a.source
    ]
    assert seed
    for entry in seed:
        assert any("A: GPU variant assumed" in c for c in entry.caveats), entry.title
    markdown = render_markdown(comparison)
    assert markdown.count("A: GPU variant assumed") >= len(seed)


@pytest.mark.parametrize(("a", "b"), [("a100-80gb-sxm", "rtx-4090"), ("rtx-3090", "rtx-4090")])
def test_markdown_notes_are_not_read_as_table_rows(a: str, b: str, fresh_data_dir: Path) -> None:
    lines = render_markdown(comparison_of(a, b)).splitlines()
    for before, line in zip(lines, lines[1:], strict=False):
        if before.startswith("|"):
            assert line.startswith("|") or line == "", (before, line)
