"""`compare "M4 Max" rtx-5090 --model qwen3:30b-a3b`: no cloud rents the Mac, so there is no
price comparison; the answer to 'which is cheaper to serve' says so and gives the priced side's
cost per 1M output tokens (the at-a-glance box printed a bare '—')."""

from __future__ import annotations

import re
from pathlib import Path

from gpuatlas.report import build_comparison
from gpuatlas.report.phrasing import render_statement


def test_mac_vs_5090_names_the_unpriced_side_and_prices_the_other(fresh_data_dir: Path) -> None:
    comparison = build_comparison("apple-m4-max-40c", "rtx-5090", model="qwen3:30b-a3b")
    answer = next(
        s for s in comparison.all_statements() if s.question and "cheaper to serve" in s.question
    )
    text = render_statement(answer)
    assert "No price comparison: Apple M4 Max (40-core GPU) has no rental offer" in text
    cost = answer.numbers["cost"].value  # the 5090's reference $/h over its modelled tok/s
    assert cost is not None and 0.05 < cost < 5.0
    shown = re.search(r"RTX 5090 costs \$([0-9.]+) per 1M output tokens", text)
    assert shown is not None and float(shown.group(1)) == round(cost, 2)


def test_both_priced_sides_keep_the_comparison(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "rtx-5090", model="qwen3:8b")
    answer = next(
        s for s in comparison.all_statements() if s.question and "cheaper to serve" in s.question
    )
    assert "No price comparison" not in render_statement(answer)
