"""`cost --max-usd-per-month` with no offer within it printed an empty table (headers only)
above the note saying why; with offers, it says that a budget month is 730 h while the
'30 days' column is 720 h (TensorDock's 8x H100: $13,140 a budget month, $12,960 for 30 days)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app

pytestmark = pytest.mark.unit


def _cost(*options: str) -> str:
    result = CliRunner().invoke(app, ["cost", "--gpu", "8x H100", *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_no_offer_within_the_budget_prints_no_empty_table() -> None:
    text = _cost("--max-usd-per-month", "100")
    assert "┏" not in text and "no offer within" in text


def test_a_budget_month_says_its_hours_beside_the_30_days_column() -> None:
    text = " ".join(_cost("--max-usd-per-month", "1000000").split())
    assert "a budget month is 730 h" in text and "'30 days' column is 30 × 24 h" in text
