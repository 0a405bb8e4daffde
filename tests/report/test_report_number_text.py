"""Numbers the report writes into titles and notes go through gpuatlas/numbers.py: targets and
prices with thousands separators and no trailing zeros (p95 TTFT ≤ 1,000 ms, 0.12 $/kWh, PUE
1.3), never scientific notation."""

from __future__ import annotations

import re

from gpuatlas.report import Comparison
from gpuatlas.report.categories import format_p
from gpuatlas.report.context import ReportOptions
from gpuatlas.report.document import Provenance, Quantity
from gpuatlas.report.focus import modelled_comparison
from gpuatlas.report.phrasing import STYLERS, USD_PER_GB_HOUR, format_quantity, render_statement
from gpuatlas.report.sections.inference import P95_TTFT_TARGET_MS

SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


def _texts(comparison: Comparison) -> list[str]:
    texts = []
    for section in comparison.sections:
        texts += [section.title, *section.notes]
        for table in section.tables:
            texts += [table.title, *table.notes]
    return texts


def test_scenario_targets_are_written_with_a_thousands_separator(
    a100_vs_4090: Comparison,
) -> None:
    assert P95_TTFT_TARGET_MS == 1000
    notes = [text for text in _texts(a100_vs_4090) if "Poisson" in text]
    assert notes and all("p95 TTFT ≤ 1,000 ms" in note for note in notes)


def test_power_notes_echo_the_electricity_price_and_pue_as_given(
    a100_vs_4090: Comparison,
) -> None:
    defaults = ReportOptions()
    assert (defaults.electricity_usd_per_kwh, defaults.pue) == (0.12, 1.3)  # as `tco`'s
    power = next(text for text in _texts(a100_vs_4090) if text.startswith("Electricity "))
    assert power.startswith("Electricity 0.12 $/kWh, PUE 1.3,")


def test_no_title_or_note_uses_scientific_notation(a100_vs_4090: Comparison) -> None:
    assert [text for text in _texts(a100_vs_4090) if SCIENTIFIC.search(text)] == []


def test_a_sign_test_p_reads_the_same_in_the_table_and_in_the_sentence() -> None:
    # the category sentence writes {p:num} (0.727); the category table wrote 0.73
    assert format_p(0.727) == f"p = {STYLERS['num'](0.727)}" == "p = 0.727"
    assert format_p(0.0004) == "p < 0.001"


def _usd(value: float) -> Quantity:
    return Quantity(value, "USD", Provenance(kind="computed", source="test"))


def test_a_cost_lead_is_visible_in_the_amounts_it_compares() -> None:
    # 1.13× apart but both "$0.02" to the cent: written to 3 significant digits instead
    close = modelled_comparison("Cost", "A", "B", _usd(0.0215), _usd(0.0243), False, "usd")
    assert close is not None
    assert "A ahead by 1.13× on point estimates — A $0.0215 vs B $0.0243;" in (
        render_statement(close)
    )
    apart = modelled_comparison("Cost", "A", "B", _usd(0.12), _usd(0.07), False, "usd")
    assert apart is not None and "A $0.12 vs B $0.07;" in render_statement(apart)
    # rtx-4090 vs a100-80gb-sxm serving gpt-oss-20b: 2.38x apart, to the cent "$0.03 vs
    # $0.08" (2.67x): written to 3 significant digits
    skewed = modelled_comparison("Cost", "A", "B", _usd(0.0327), _usd(0.0778), False, "usd")
    assert skewed is not None
    assert "A ahead by 2.38× on point estimates — A $0.0327 vs B $0.0778;" in (
        render_statement(skewed)
    )


def test_a_price_per_gb_hour_is_a_unit_price_to_three_significant_digits() -> None:
    price = Quantity(0.34 / 24, USD_PER_GB_HOUR, Provenance(kind="computed", source="test"))
    assert format_quantity(price) == "$0.0142"  # to the cent it read "$0.01"
