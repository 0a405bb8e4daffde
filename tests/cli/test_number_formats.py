"""Numbers as the answers write them (gpuatlas/numbers.py): a dollar band whose value is below
ten cents, or that reaches below a cent, keeps 3 significant digits on every side, never
'$0.01 ($0.00769–$0.01)'."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gpuatlas.cli.main import app
from gpuatlas.numbers import format_given, format_usd_range, format_usd_rate

runner = CliRunner()


def test_a_band_that_reaches_below_a_cent_is_written_to_three_significant_digits() -> None:
    assert format_usd_range(0.0105, 0.00769, 0.0144) == "$0.0105 ($0.00769–$0.0144)"
    assert format_usd_range(1.5, 0.009, 2.5) == "$1.50 ($0.00900–$2.50)"


def test_a_band_below_ten_cents_keeps_three_digits_so_close_prices_differ() -> None:
    # $0.0139 and $0.0112 an image both read '$0.01' to the cent
    assert format_usd_range(0.0139, 0.0104, 0.0176) == "$0.0139 ($0.0104–$0.0176)"
    assert format_usd_range(0.0112, 0.0084, 0.0150) == "$0.0112 ($0.00840–$0.0150)"


def test_a_band_whose_value_is_at_or_above_ten_cents_stays_to_the_cent() -> None:
    assert format_usd_range(0.13, 0.0983, 0.185) == "$0.13 ($0.10–$0.18)"
    assert format_usd_range(1234.5, 1000.0, 1500.0) == "$1,234.50 ($1,000.00–$1,500.00)"


def test_a_number_the_user_gave_is_echoed_as_given() -> None:
    assert [format_given(v) for v in (0.12, 1.3, 24.0, 5, 1e9)] == [
        "0.12",
        "1.3",
        "24",
        "5",
        "1,000,000,000",
    ]
    assert format_given(0.5, "req/s") == "0.5 req/s"


def test_tco_takes_the_gpu_as_an_argument_and_echoes_its_inputs_as_given() -> None:
    positional = runner.invoke(app, ["tco", "rtx-4090", "--json"])
    option = runner.invoke(app, ["tco", "--gpu", "rtx-4090", "--json"])
    assert positional.exit_code == 0, positional.output
    assert json.loads(positional.stdout)["systems"] == json.loads(option.stdout)["systems"]
    text = runner.invoke(app, ["tco", "rtx-4090", "--usd-per-kwh", "0.125", "--pue", "1.3"])
    assert text.exit_code == 0, text.output
    assert "On-prem over 5 years at $0.125/kWh, PUE 1.3, 730 h/month" in text.output


def test_the_formats_table_writes_bits_per_weight_without_rounding_them_away() -> None:
    result = runner.invoke(app, ["model", "show", "llama-3.1-8b"])
    assert result.exit_code == 0, result.output
    q8_row = next(line for line in result.output.splitlines() if "q8_0" in line)
    q4_row = next(line for line in result.output.splitlines() if "q4_0" in line)
    assert "1.0625" in q8_row  # 34 bytes per block of 32 weights
    assert "0.5625" in q4_row and "0.56250" not in q4_row  # 18 bytes per 32, no padding zero
    assert "(tied embeddings: no)" in result.output


def test_a_bad_value_is_echoed_without_scientific_notation() -> None:
    result = runner.invoke(app, ["cost", "--gpu", "rtx-4090", "--hours", "-1000000"])
    assert result.exit_code == 2
    assert "hours must be ≥ 0, got -1,000,000" in " ".join(result.output.split())


def test_a_unit_price_keeps_three_significant_digits_so_its_column_compares() -> None:
    assert [format_usd_rate(v) for v in (0.34 / 24, 0.88 / 24, 0.18 / 24, 1.234)] == [
        "$0.0142",
        "$0.0367",
        "$0.00750",
        "$1.23",
    ]
