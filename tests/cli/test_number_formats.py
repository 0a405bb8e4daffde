"""Numbers as the answers write them (gpuatlas/numbers.py): a dollar band below a cent keeps
3 significant digits on every side, never '$0.01 ($0.00769–$0.01)'."""

from __future__ import annotations

from gpuatlas.numbers import format_usd_range


def test_a_band_that_reaches_below_a_cent_is_written_to_three_significant_digits() -> None:
    assert format_usd_range(0.0105, 0.00769, 0.0144) == "$0.0105 ($0.00769–$0.0144)"
    assert format_usd_range(1.5, 0.009, 2.5) == "$1.50 ($0.00900–$2.50)"


def test_a_band_at_or_above_a_cent_stays_to_the_cent() -> None:
    assert format_usd_range(0.13, 0.0983, 0.185) == "$0.13 ($0.10–$0.18)"
    assert format_usd_range(1234.5, 1000.0, 1500.0) == "$1,234.50 ($1,000.00–$1,500.00)"
