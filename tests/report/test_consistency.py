"""Every verdict and every number in the generated text agrees with the document's numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpuatlas.compare import Interval, verdict_for
from gpuatlas.report import Comparison
from gpuatlas.report.document import Quantity, Statement
from gpuatlas.report.phrasing import STYLERS, format_quantity, render_statement

from .conftest import comparison_of

PAIRS = [
    ("a100-80gb-sxm", "rtx-4090"),
    ("rtx-3090", "rtx-4090"),
    ("h100-sxm", "a100-80gb-pcie"),
    ("4x rtx-4090", "2x a100-80gb-sxm"),
]
# a number as the renderers write it; digits inside names ("FP8", "A100", "llama-3.1") are not
NUMBER = re.compile(r"(?<![\w.\-])\$?\d+(?:,\d{3})*(?:\.\d+)?(?:×|%)?(?![\w])")


def _renderings(quantity: Quantity) -> set[str]:
    values = [v for v in (quantity.value, quantity.low, quantity.high) if v is not None]
    found = {style(v) for v in values for style in STYLERS.values()}
    found.add(format_quantity(quantity))
    if quantity.unit == "USD":  # '${x:num}': amounts the cent would skew, to 3 digits
        found |= {f"${STYLERS['num'](v)}" for v in values}
    return found


def _numbers_in_text(statement: Statement) -> list[str]:
    text = render_statement(statement)
    for word in sorted(statement.words.values(), key=len, reverse=True):
        if word:
            text = text.replace(word, " ")
    return NUMBER.findall(text)


def _allowed(statement: Statement) -> set[str]:
    allowed: set[str] = set()
    for quantity in statement.numbers.values():
        for rendered in _renderings(quantity):
            allowed.update(NUMBER.findall(rendered))
    return allowed


def _statements(comparison: Comparison) -> list[Statement]:
    return comparison.all_statements()


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_every_number_in_the_text_is_one_of_the_statements_numbers(
    a: str, b: str, fresh_data_dir: Path
) -> None:
    comparison = comparison_of(a, b)
    for statement in _statements(comparison):
        allowed = _allowed(statement)
        for token in _numbers_in_text(statement):
            assert token in allowed, (render_statement(statement), token, sorted(allowed))


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_every_verdict_sentence_matches_the_rule_applied_to_its_ratio(
    a: str, b: str, fresh_data_dir: Path
) -> None:
    comparison = comparison_of(a, b)
    for statement in _statements(comparison):
        if statement.kind != "verdict":
            continue
        ratio = statement.numbers["ratio"]
        assert ratio.value is not None
        expected = verdict_for(Interval(ratio.value, ratio.low, ratio.high))
        text = render_statement(statement)
        if statement.words.get("decided_by") == "sign test":  # consistent direction (SCHEMA)
            assert statement.verdict in ("a_faster", "b_faster")
            assert expected.value == "inconclusive" and "sign test p" in text
            winner = statement.words["a" if statement.verdict == "a_faster" else "b"]
            assert f"{winner} is faster" in text
            assert (ratio.value > 1.05) == (statement.verdict == "a_faster")
            continue
        if statement.verdict == "vs_model":  # a modelled side: never phrased as a measured win
            assert statement.words["model_verdict"] == expected.value
            assert "is faster" not in text and "against the model's band" in text
            continue
        assert statement.verdict == expected.value
        phrases = {
            "a_faster": f"{statement.words['a']} is faster",
            "b_faster": f"{statement.words['b']} is faster",
            "roughly_equal": "roughly equal",
            "inconclusive": "no verdict",
        }
        assert phrases[expected.value] in text
        others = [p for key, p in phrases.items() if key != expected.value]
        assert not any(p in text for p in others), text


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_winner_ratios_are_at_least_one_and_name_the_larger_side(
    a: str, b: str, fresh_data_dir: Path
) -> None:
    for statement in _statements(comparison_of(a, b)):
        if "x" in statement.numbers and "y" in statement.numbers and "ratio" in statement.numbers:
            x, y, ratio = (statement.numbers[k].value for k in ("x", "y", "ratio"))
            assert x is not None and y is not None and ratio is not None
            assert ratio >= 1.0
            assert ratio == pytest.approx(max(x, y) / min(x, y))
        if "shown" in statement.numbers:
            shown = statement.numbers["shown"].value
            assert shown is not None and shown >= 1.0


def test_benchmark_verdicts_follow_their_ratio_intervals(a100_vs_4090: Comparison) -> None:
    assert a100_vs_4090.benchmarks
    for entry in a100_vs_4090.benchmarks:
        measured_both = entry.a and entry.b and not entry.a.modelled and not entry.b.modelled
        if entry.ratio is None:
            assert entry.verdict == "inconclusive" and entry.basis == "none"
            continue
        if not measured_both:  # a modelled side: its own verdict kind, never a measured win
            assert entry.verdict == "vs_model" and entry.basis != "measured"
            assert (
                entry.model_verdict
                == verdict_for(Interval(entry.ratio.value, entry.ratio.low, entry.ratio.high)).value
            )
            continue
        interval = Interval(entry.ratio.value, entry.ratio.low, entry.ratio.high)
        assert entry.verdict == verdict_for(interval).value
        if entry.verdict == "roughly_equal":  # the seed page's "roughly equal" next to 3.9x
            assert 1 / 1.05 <= entry.ratio.value <= 1.05


def test_ratio_orientation_makes_lower_seconds_per_image_a_win(
    a100_vs_4090: Comparison,
) -> None:
    for entry in a100_vs_4090.benchmarks:
        if entry.a and entry.b and entry.ratio and not entry.a.modelled and not entry.b.modelled:
            expected = (
                entry.a.median / entry.b.median
                if entry.higher_is_better
                else entry.b.median / entry.a.median
            )
            assert entry.ratio.value == pytest.approx(expected)


def test_the_checker_catches_a_number_written_into_a_template() -> None:
    # the seed page's failure mode: a sentence whose number is not the one computed
    from gpuatlas.report.document import Provenance

    ratio = Quantity(1.02, "×", Provenance(kind="computed", source="test"))
    written = Statement(
        kind="fact",
        template="roughly equal, although 3.90× apart ({r:ratio})",
        numbers={"r": ratio},
    )
    stray = [t for t in _numbers_in_text(written) if t not in _allowed(written)]
    assert stray == ["3.90×"]
