"""The one number formatter: the values a reader should see."""

from __future__ import annotations

import pytest

from gpuatlas.numbers import (
    format_fraction,
    format_number,
    format_usd,
    format_usd_range,
    format_wait_ms,
    shorten_text,
)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (14230.4, "tok/s", "14,230 tok/s"),
        (2039.0, "GB/s", "2,039 GB/s"),
        (12.345, "ms", "12.3 ms"),
        (0.045678, "", "0.0457"),
        (7, "GPUs", "7 GPUs"),
        (0.0, "", "0"),
        (None, "ms", "—"),
        (float("nan"), "", "—"),
        (2.5e-9, "s", "2.50e-09 s"),
        (123456789.0, "", "123,456,789"),
    ],
)
def test_format_number(value: float | None, unit: str, expected: str) -> None:
    assert format_number(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (49.3548, "$49.35"),
        (1234.567, "$1,234.57"),
        (0.12, "$0.12"),
        (0.00001, "$0.0000100"),
        (0.000123456, "$0.000123"),
        (0.0, "$0.00"),
        (-3.5, "−$3.50"),
        (None, "—"),
    ],
)
def test_format_usd_to_the_cent_or_three_significant_digits(
    value: float | None, expected: str
) -> None:
    assert format_usd(value) == expected


def test_usd_range_and_clipped_fractions() -> None:
    assert format_usd_range(0.088, 0.0641, 0.121) == "$0.0880 ($0.0641–$0.121)"
    assert format_usd_range(0.88, 0.641, 1.21) == "$0.88 ($0.64–$1.21)"
    assert format_usd_range(0.00088, 0.00064, 0.0012) == "$0.000880 ($0.000640–$0.00120)"
    assert format_fraction(1.265) == "100%"
    assert format_fraction(0.8734) == "87.3%"
    assert "e" not in format_number(14230.0)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("milliseconds", "text"),
    [(661.4, "661 ms"), (1507.0, "1,507 ms"), (59_999.0, "59,999 ms"), (1_642_813.0, "27.4 min")],
)
def test_a_wait_past_a_minute_is_said_in_minutes(milliseconds: float, text: str) -> None:
    assert format_wait_ms(milliseconds) == text
    assert format_wait_ms(7_560_000.0) == "2.1 h"


def test_shorten_text_cuts_at_a_word_and_closes_what_it_opened() -> None:
    source = (
        "NVIDIA Ada GPU Architecture whitepaper v2.02/2.1, Appendix A "
        "(images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf)"
    )
    assert shorten_text(source, 80) == (
        "NVIDIA Ada GPU Architecture whitepaper v2.02/2.1, Appendix A…"
    )  # was '… Appendix A (images.nvidia.com/': a URL cut in two, a bracket left open
    quoted = "Vast.ai: https://fairlane.systems/x ('As of: 2026-05' inventory of many offers)"
    assert shorten_text(quoted, 60) == "Vast.ai: https://fairlane.systems/x ('As of: 2026-05'…)"
    assert shorten_text("short enough", 80) == "short enough"
    assert shorten_text("a (quoted 'half open", 18) == "a (quoted…)"  # no unpaired quote
    assert shorten_text("x" * 100, 20) == "…"  # one long word: nothing cut in half


def test_shortened_texts_stay_within_their_limit() -> None:
    text = "one two three (four five six seven) eight nine ten eleven twelve"
    for limit in range(1, len(text) + 2):
        shortened = shorten_text(text, limit)
        assert len(shortened) <= max(limit, 2)
        assert shortened.count("(") == shortened.count(")")
